// A conditional workflow runs the step of the first branch whose `when` is true, else
// `otherwise`, else nothing.
const route = workflow.conditional({
  name: "route",
  branches: [
    { when: (s) => s.get("n") < 0, step: (s) => "negative" },
    { when: (s) => s.get("n") === 0, step: { name: "zero", run: (s) => ({ zero: true }) } },
    { when: (s) => s.get("n") < 0, step: (s) => "never" },
  ],
  otherwise: (s) => "positive",
});
print(route.kind);
print(json.encode(route));
for (const n of [-5, 0, 7]) {
  print(n, (await route.run({ n: n })).to_map());
}
const only = workflow.conditional({
  name: "only",
  branches: [{ when: (s) => s.get("input") === "yes", step: (s) => "matched" }],
});
print((await only.run("no")).to_map());
print((await only.run("yes")).to_map());
