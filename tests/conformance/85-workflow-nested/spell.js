// Workflows are steps too: they take the current State and hand theirs on; an unnamed
// workflow step is named after the workflow.
const inc = workflow.sequential({
  name: "inc",
  steps: [(s) => ({ depth: (s.get("depth") ?? 0) + 1 })],
});
const twice = workflow.sequential({ name: "twice", steps: [inc, inc] });
print((await twice.run({})).to_map());
const fan = workflow.parallel({
  name: "fan",
  steps: [inc, { name: "double", run: twice }],
});
print(json.encode(fan));
print((await fan.run({ depth: 10 })).to_map());
const pick = workflow.conditional({
  name: "pick",
  branches: [{ when: (s) => s.get("deep"), step: twice }],
  otherwise: inc,
});
const repeat_until = workflow.loop({
  name: "grow",
  step: pick,
  until: (s) => s.get("depth") >= 5,
  max_iterations: 10,
});
print((await repeat_until.run({ deep: true })).to_map());
print((await repeat_until.run({ deep: false })).to_map());
const outer = workflow.sequential({
  name: "outer",
  steps: [fan, (s) => s.get("double").depth + s.get("inc").depth],
});
print((await outer.run({ depth: 0 })).get("output"));
