-- State flows through a sequential workflow: a map merges, a string becomes `output`,
-- nil changes nothing, a returned State replaces it.
local flow = workflow.sequential({
  name = "flow",
  steps = {
    function(s) return { topic = s:get("input") } end,
    function(s) return "about " .. s:get("topic") end,
    function(s) return nil end,
    { name = "tidy", run = function(s) return { count = 2 } end },
  },
})
print(flow.name, flow.kind)
print(flow)
print(flow:run("rust"):to_map())
print(flow:run({ input = "lua", extra = true }):to_map())
local replace = workflow.sequential({
  name = "replace",
  steps = { function(s) return state.create({ only = s:get("n") + 1 }) end },
})
print(replace:run(state.create({ n = 41, dropped = "yes" })):to_map())
print(json.encode(replace))
