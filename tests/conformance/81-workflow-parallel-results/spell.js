// A parallel workflow gives every step the same State and returns it with one entry per
// step: step name -> output. Unnamed function steps are step1, step2, ...
const fan = workflow.parallel({
  name: "fan",
  steps: [
    (s) => s.get("input").toUpperCase(),
    { name: "length", run: (s) => s.get("input").length },
    { name: "info", run: (s) => ({ first: s.get("input").substring(0, 1) }) },
    { name: "copy", run: (s) => s.set("copied", true) },
    { name: "nothing", run: (s) => null },
  ],
  max_concurrency: 2,
});
print(fan.kind);
print(json.encode(fan));
const result = await fan.run("spell");
print(result.keys());
print(result.get("step1"), result.get("length"));
print(result.get("info"));
print(result.get("copy"));
try {
  workflow.parallel({ name: "dup", steps: [{ name: "a", run: (s) => null }, { name: "a", run: (s) => null }] });
} catch (e) {
  print(false, e.code);
}
