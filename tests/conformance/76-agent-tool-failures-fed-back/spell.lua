-- A failing tool call does not end the agent's run: bad arguments, an unknown tool and an
-- error the tool raises are sent back to the model as {"error": {code, message}} tool
-- results next to the good one (6 messages on the second turn), and reported as `error` events.
for _, pattern in ipairs({ "tool.*", "error", "llm.request", "agent.end" }) do
  events.on(pattern, function(event)
    local d = event.data
    print(event.name, d.tool or d.agent or d.source, json.encode(d.args or d.result or d.message or d.messages or d.turns))
  end)
end
tools.define({
  name = "shout",
  description = "Upper-cases text; text starting with { is decoded as JSON",
  params = { type = "object", properties = { text = { type = "string" } }, required = { "text" } },
  run = function(args)
    if string.sub(args.text, 1, 1) == "{" then return json.decode(args.text) end
    return string.upper(args.text)
  end,
})
local crier = agent.create({ name = "crier", tools = { "shout" } })
print(crier:run("shout hi"))
