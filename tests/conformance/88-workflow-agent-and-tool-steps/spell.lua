-- Agents and tools are steps: named after themselves, an agent reads `input` and writes
-- `output`, a tool gets the State's entries as arguments and its map result is merged.
local writer = agent.create({ name = "writer", system_prompt = "Be brief." })
local counter = tools.define({
  name = "count_chars",
  description = "Counts the characters of the output.",
  params = { type = "object", properties = { output = { type = "string" } } },
  run = function(args) return { chars = #args.output } end,
})
local flow = workflow.sequential({ name = "write", steps = { writer, counter } })
print(json.encode(flow))
local result = flow:run("hello there")
print(result:to_map())
local fan = workflow.parallel({ name = "fan", steps = { writer, { name = "again", run = writer } } })
local r = fan:run("hi")
print(r:keys())
print(r:get("writer").output, r:get("again").output)
