// common_api: the seed's common API. new Agent and new State are aliases of agent.create
// and state.create; an agent run with a State reads `input` and returns a new State with
// `output` added (the other keys pass through).
// Run: llmspell run spells/common_api.js (also .lua and .rhai; same output)
const assistant = new Agent({
  name: "assistant",
  system_prompt: "You explain llmspell in one sentence.",
});
const question = new State({ input: "What is a spell?", audience: "newcomers" });
const answered = await assistant.run(question);
print(answered.get("output"));
print(json.encode(answered.keys()), answered.get("audience"));
print(json.encode(question.keys()));
