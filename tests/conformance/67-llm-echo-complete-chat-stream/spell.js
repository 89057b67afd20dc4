// The offline scripted provider echoes: complete, chat and stream give the same answer.
print(await llm.complete("hi"));
print(await llm.complete({ prompt: "with a map", system: "be brief", temperature: 0.2 }));
const r = await llm.chat({ messages: [{ role: "user", content: "first" }, { role: "assistant", content: "ok" }], prompt: "last" });
print(r.text, r.provider, r.model, r.finish_reason);
print(r.usage.input_tokens, r.usage.output_tokens, r.tool_calls.length, r.data === undefined);
const s = await llm.stream("streamed", (chunk) => print("chunk: " + chunk));
print(s.text);
