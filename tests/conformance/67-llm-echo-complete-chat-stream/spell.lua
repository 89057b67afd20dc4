-- The offline scripted provider echoes: complete, chat and stream give the same answer.
print(llm.complete("hi"))
print(llm.complete({ prompt = "with a map", system = "be brief", temperature = 0.2 }))
local r = llm.chat({ messages = { { role = "user", content = "first" }, { role = "assistant", content = "ok" } }, prompt = "last" })
print(r.text, r.provider, r.model, r.finish_reason)
print(r.usage.input_tokens, r.usage.output_tokens, #r.tool_calls, r.data == nil)
local s = llm.stream("streamed", function(chunk) print("chunk: " .. chunk) end)
print(s.text)
