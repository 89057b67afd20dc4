-- A model that keeps calling tools ends the run with `max_turns` after that many model calls.
local calls = 0
events.on("tool.call", function(event) calls = calls + 1 end)
local looping = agent.create({ name = "looping", tools = { "calculator" }, max_turns = 3 })
local ok, e = pcall(function() return looping:run("go on") end)
print(ok, e.code, e.message)
print(calls)
print(looping:run("finish now"))
