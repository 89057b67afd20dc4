// Errors name the workflow and the step and keep the step's code; bad configurations are
// invalid_argument; an uncaught step error ends the spell with that code.
async function attempt(f) {
  try { await f(); print("ok"); } catch (e) { print(e.code, e.message); }
}
const parse = workflow.sequential({
  name: "parse",
  steps: [{ name: "decode", run: (s) => json.decode(s.get("input")) }],
});
await attempt(() => parse.run("{bad"));
await attempt(() => parse.run("{\"fine\": 1}"));
const outer = workflow.sequential({ name: "outer", steps: [parse] });
await attempt(() => outer.run("[1,"));
const guarded = workflow.conditional({
  name: "guarded",
  branches: [{ when: (s) => s.get("missing").field, step: (s) => 1 }],
});
try { await guarded.run({}); } catch (e) { print(true); print(e.code, e.message.substring(0, 49)); }
await attempt(() => workflow.sequential({ name: "w", steps: [42] }));
await attempt(() => workflow.sequential({ name: "w", steps: [{ run: (s) => null, on_error: "ignore" }] }));
await attempt(() => workflow.sequential({ steps: [] }));
await attempt(() => workflow.sequential({ name: "w", steps: [], colour: "red" }));
await attempt(() => workflow.parallel({ name: "w", steps: [], max_concurrency: 0 }));
const report = workflow.sequential({
  name: "report",
  steps: [{ name: "load", run: (s) => fs.read("missing.txt") }],
});
await report.run("go");
print("not reached");
