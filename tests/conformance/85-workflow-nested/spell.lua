-- Workflows are steps too: they take the current State and hand theirs on; an unnamed
-- workflow step is named after the workflow.
local inc = workflow.sequential({
  name = "inc",
  steps = { function(s) return { depth = (s:get("depth") or 0) + 1 } end },
})
local twice = workflow.sequential({ name = "twice", steps = { inc, inc } })
print(twice:run({}):to_map())
local fan = workflow.parallel({
  name = "fan",
  steps = { inc, { name = "double", run = twice } },
})
print(json.encode(fan))
print(fan:run({ depth = 10 }):to_map())
local pick = workflow.conditional({
  name = "pick",
  branches = { { when = function(s) return s:get("deep") end, step = twice } },
  otherwise = inc,
})
local repeat_until = workflow.loop({
  name = "grow",
  step = pick,
  ["until"] = function(s) return s:get("depth") >= 5 end,
  max_iterations = 10,
})
print(repeat_until:run({ deep = true }):to_map())
print(repeat_until:run({ deep = false }):to_map())
local outer = workflow.sequential({
  name = "outer",
  steps = { fan, function(s) return s:get("double").depth + s:get("inc").depth end },
})
print(outer:run({ depth = 0 }):get("output"))
