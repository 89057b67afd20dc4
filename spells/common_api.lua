-- common_api: the seed's common API. Agent.new and State.new are aliases of agent.create
-- and state.create; an agent run with a State reads `input` and returns a new State with
-- `output` added (the other keys pass through).
-- Run: llmspell run spells/common_api.lua (also .js and .rhai; same output)
local assistant = Agent.new({
  name = "assistant",
  system_prompt = "You explain llmspell in one sentence.",
})
local question = State.new({ input = "What is a spell?", audience = "newcomers" })
local answered = assistant:run(question)
print(answered:get("output"))
print(json.encode(answered:keys()), answered:get("audience"))
print(json.encode(question:keys()))
