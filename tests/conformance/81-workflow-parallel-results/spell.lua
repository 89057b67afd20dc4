-- A parallel workflow gives every step the same State and returns it with one entry per
-- step: step name -> output. Unnamed function steps are step1, step2, ...
local fan = workflow.parallel({
  name = "fan",
  steps = {
    function(s) return string.upper(s:get("input")) end,
    { name = "length", run = function(s) return #s:get("input") end },
    { name = "info", run = function(s) return { first = string.sub(s:get("input"), 1, 1) } end },
    { name = "copy", run = function(s) return s:set("copied", true) end },
    { name = "nothing", run = function(s) return nil end },
  },
  max_concurrency = 2,
})
print(fan.kind)
print(json.encode(fan))
local result = fan:run("spell")
print(result:keys())
print(result:get("step1"), result:get("length"))
print(result:get("info"))
print(result:get("copy"))
local ok, e = pcall(function()
  return workflow.parallel({ name = "dup", steps = { { name = "a", run = function(s) end }, { name = "a", run = function(s) end } } })
end)
print(ok, e.code)
