// Bad request maps are `invalid_argument` naming the key; an unknown provider is `provider_config`.
async function attempt(f) {
  try { await f(); print("ok"); } catch (e) { print(e.code, e.message); }
}
await attempt(() => llm.chat({ prompt: "x", colour: 1 }));
await attempt(() => llm.chat({ prompt: "x", temperature: "hot" }));
await attempt(() => llm.chat({ system: "x" }));
await attempt(() => llm.chat({ prompt: "x", max_tokens: 0 }));
await attempt(() => llm.complete({ prompt: "x", tools: ["nope"] }));
await attempt(() => llm.complete({ messages: [{ role: "robot", content: "x" }] }));
try { await llm.complete({ prompt: "x", model: "nowhere/m" }); } catch (e) { print(e.code); }
await attempt(() => llm.chat(42));
await attempt(() => llm.complete({ prompt: "fine", max_tokens: 5 }));
