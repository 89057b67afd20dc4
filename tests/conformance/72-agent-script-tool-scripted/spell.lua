-- An agent calls a script-defined tool and a built-in one, from a scripted provider file.
for _, pattern in ipairs({ "agent.*", "llm.*", "tool.*" }) do
  events.on(pattern, function(event)
    local d = event.data
    print(event.name, d.agent or d.tool, json.encode(d.args or d.result or d.tools or d.output or ""))
  end)
end
tools.define({
  name = "get_weather",
  description = "The weather in a city",
  params = { type = "object", properties = { city = { type = "string" } }, required = { "city" } },
  run = function(args) return { city = args.city, celsius = 3 } end,
})
local forecaster = agent.create({ name = "forecaster", tools = { "get_weather", "calculator" } })
print(forecaster.model)
print(forecaster:run("What is the weather in Oslo?"))
