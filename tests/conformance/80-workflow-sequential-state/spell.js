// State flows through a sequential workflow: a map merges, a string becomes `output`,
// nil changes nothing, a returned State replaces it.
const flow = workflow.sequential({
  name: "flow",
  steps: [
    (s) => ({ topic: s.get("input") }),
    (s) => "about " + s.get("topic"),
    (s) => null,
    { name: "tidy", run: (s) => ({ count: 2 }) },
  ],
});
print(flow.name, flow.kind);
print(flow);
print((await flow.run("rust")).to_map());
print((await flow.run({ input: "lua", extra: true })).to_map());
const replace = workflow.sequential({
  name: "replace",
  steps: [(s) => state.create({ only: s.get("n") + 1 })],
});
print((await replace.run(state.create({ n: 41, dropped: "yes" }))).to_map());
print(json.encode(replace));
