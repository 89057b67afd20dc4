-- Errors name the workflow and the step and keep the step's code; bad configurations are
-- invalid_argument; an uncaught step error ends the spell with that code.
local function try(f)
  local ok, e = pcall(f)
  if ok then print("ok") else print(e.code, e.message) end
end
local parse = workflow.sequential({
  name = "parse",
  steps = { { name = "decode", run = function(s) return json.decode(s:get("input")) end } },
})
try(function() return parse:run("{bad") end)
try(function() return parse:run("{\"fine\": 1}") end)
local outer = workflow.sequential({ name = "outer", steps = { parse } })
try(function() return outer:run("[1,") end)
local guarded = workflow.conditional({
  name = "guarded",
  branches = { { when = function(s) return s:get("missing").field end, step = function(s) return 1 end } },
})
print(pcall(function() return guarded:run({}) end) == false)
local ok, e = pcall(function() return guarded:run({}) end)
print(e.code, string.sub(e.message, 1, 49))
try(function() return workflow.sequential({ name = "w", steps = { 42 } }) end)
try(function() return workflow.sequential({ name = "w", steps = { { run = function(s) end, on_error = "ignore" } } }) end)
try(function() return workflow.sequential({ steps = {} }) end)
try(function() return workflow.sequential({ name = "w", steps = {}, colour = "red" }) end)
try(function() return workflow.parallel({ name = "w", steps = {}, max_concurrency = 0 }) end)
local report = workflow.sequential({
  name = "report",
  steps = { { name = "load", run = function(s) return fs.read("missing.txt") end } },
})
report:run("go")
print("not reached")
