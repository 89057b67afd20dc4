-- A loop runs its step, then asks `until`; it stops when `until` is true and fails with
-- `max_iterations` when it is still false after max_iterations runs.
local function counter(limit)
  return workflow.loop({
    name = "count",
    step = function(s) return { n = s:get("n") + 1, trail = s:get("trail") .. "." } end,
    ["until"] = function(s) return s:get("n") >= 3 end,
    max_iterations = limit,
  })
end
print(counter(10):run({ n = 0, trail = "" }):to_map())
print(counter(3):run({ n = 0, trail = "" }):to_map())
print(counter(1):run({ n = 5, trail = "" }):to_map())
local ok, e = pcall(function() return counter(2):run({ n = 0, trail = "" }) end)
print(ok, e.code, e.message)
local ok2, e2 = pcall(function()
  return workflow.loop({ name = "forever", step = function(s) end, ["until"] = function(s) return false end })
end)
print(ok2, e2.code)
