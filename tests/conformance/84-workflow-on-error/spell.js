// on_error = "continue" records the failure under `errors` and goes on; { retry = n } runs a
// failing step up to n more times; without on_error the workflow fails.
let calls = 0;
function flaky(s) {
  calls = calls + 1;
  if (calls < 3) { throw new Error("attempt " + calls + " failed"); }
  return "ok after " + calls;
}
const tolerant = workflow.sequential({
  name: "tolerant",
  steps: [
    { name: "broken", run: (s) => { throw new Error("no luck"); }, on_error: "continue" },
    (s) => ({ after: true }),
  ],
});
const result = await tolerant.run("x");
print(result.get("after"));
print(result.get("errors"));
const retrying = workflow.sequential({
  name: "retrying",
  steps: [{ name: "flaky", run: flaky, on_error: { retry: 2 } }],
});
print((await retrying.run("x")).get("output"), calls);
calls = 0;
const impatient = workflow.sequential({
  name: "impatient",
  steps: [{ name: "flaky", run: flaky, on_error: { retry: 1 } }],
});
try { await impatient.run("x"); } catch (e) { print(false, e.code, e.message, calls); }
const parallel = workflow.parallel({
  name: "fan",
  steps: [
    { name: "good", run: (s) => 1 },
    { name: "bad", run: (s) => { throw new Error("down"); }, on_error: "continue" },
  ],
});
print((await parallel.run("x")).to_map());
