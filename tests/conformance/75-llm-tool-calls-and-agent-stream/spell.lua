-- llm.chat returns the tool calls the model asks for (it does not run them); Agent.stream streams.
local r = llm.chat({ prompt = "use tools", tools = { "calculator", tools.get("datetime") } })
print(r.finish_reason, #r.tool_calls, r.tool_calls[1].name, r.tool_calls[1].arguments.expression, r.text == "")
local teller = agent.create({ name = "teller" })
local answer = teller:stream("tell a story", function(chunk) print("chunk: " .. chunk) end)
print(answer)
local out = teller:stream(State.new({ input = "tell it again" }), function(chunk) print("again: " .. chunk) end)
print(out:get("output"))
