// A script-defined tool: its arguments are validated against its schema before it runs.
let runs = 0;
const shout = tools.define({
  name: "shout",
  description: "Upper-cases a text",
  params: { type: "object", properties: { text: { type: "string" }, times: { type: "integer", minimum: 1 } }, required: ["text"] },
  run: (args) => {
    runs = runs + 1;
    return Array(args.times ?? 1).fill(args.text.toUpperCase()).join(" ");
  },
});
print(shout.name, shout.description);
print(await shout.call({ text: "hi" }), await tools.call("shout", { text: "yo", times: 2 }));
const found = tools.get("shout");
print(found.name, await found.call({ text: "again" }));
for (const t of tools.list()) {
  if (t.name === "shout") { print(t.builtin, t.params.required[0]); }
}
async function attempt(f) {
  try { await f(); print("ok"); } catch (e) { print(e.code, e.message); }
}
await attempt(() => shout.call({ text: 5 }));
await attempt(() => shout.call({ text: "x", times: 0 }));
await attempt(() => tools.call("shout", { times: 1 }));
await attempt(() => tools.call("missing", { text: "x" }));
await attempt(() => tools.define({ name: "calculator", run: (args) => 1 }));
await attempt(() => tools.define({ name: "x", run: (args) => 1, colour: "red" }));
print(runs);
