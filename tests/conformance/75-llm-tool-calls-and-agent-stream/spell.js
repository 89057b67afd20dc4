// llm.chat returns the tool calls the model asks for (it does not run them); Agent.stream streams.
const r = await llm.chat({ prompt: "use tools", tools: ["calculator", tools.get("datetime")] });
print(r.finish_reason, r.tool_calls.length, r.tool_calls[0].name, r.tool_calls[0].arguments.expression, r.text === "");
const teller = agent.create({ name: "teller" });
const answer = await teller.stream("tell a story", (chunk) => print("chunk: " + chunk));
print(answer);
const out = await teller.stream(new State({ input: "tell it again" }), (chunk) => print("again: " + chunk));
print(out.get("output"));
