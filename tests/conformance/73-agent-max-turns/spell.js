// A model that keeps calling tools ends the run with `max_turns` after that many model calls.
let calls = 0;
events.on("tool.call", (event) => { calls = calls + 1; });
const looping = agent.create({ name: "looping", tools: ["calculator"], max_turns: 3 });
try { await looping.run("go on"); } catch (e) { print(false, e.code, e.message); }
print(calls);
print(await looping.run("finish now"));
