// A loop runs its step, then asks `until`; it stops when `until` is true and fails with
// `max_iterations` when it is still false after max_iterations runs.
function counter(limit) {
  return workflow.loop({
    name: "count",
    step: (s) => ({ n: s.get("n") + 1, trail: s.get("trail") + "." }),
    until: (s) => s.get("n") >= 3,
    max_iterations: limit,
  });
}
print((await counter(10).run({ n: 0, trail: "" })).to_map());
print((await counter(3).run({ n: 0, trail: "" })).to_map());
print((await counter(1).run({ n: 5, trail: "" })).to_map());
try { await counter(2).run({ n: 0, trail: "" }); } catch (e) { print(false, e.code, e.message); }
try {
  workflow.loop({ name: "forever", step: (s) => null, until: (s) => false });
} catch (e) {
  print(false, e.code);
}
