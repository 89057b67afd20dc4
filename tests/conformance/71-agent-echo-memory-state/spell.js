// Agents on the offline echo model: run with str, map and State input, memory, history, reset.
const helper = agent.create({ name: "helper", system_prompt: "Be brief" });
print(helper.name, helper.model);
print(await helper.run("hello"));
print(await helper.run({ input: "from a map" }));
const out = await helper.run(new State({ input: "from a state", topic: "rust" }));
print(out.get("output"), out.get("topic"));
const keyed = new Agent({ name: "keyed", input_key: "question", output_key: "answer", memory: true });
print((await keyed.run(state.create({ question: "why" }))).get("answer"));
await keyed.run("and then");
for (const message of keyed.history()) { print(message.role, message.content); }
print(helper.history().length);
keyed.reset();
print(keyed.history().length);
print(json.encode(agent.list()), agent.get("keyed").name, agent.get("nobody") === null);
try { agent.create({ name: "x", colour: "red" }); } catch (e) { print(e.code, e.message); }
try { agent.create({ name: "x", max_turns: 0 }); } catch (e) { print(e.code, e.message); }
try { agent.create({ name: "x", tools: ["nope"] }); } catch (e) { print(e.code, e.message); }
