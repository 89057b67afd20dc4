-- A conditional workflow runs the step of the first branch whose `when` is true, else
-- `otherwise`, else nothing.
local route = workflow.conditional({
  name = "route",
  branches = {
    { when = function(s) return s:get("n") < 0 end, step = function(s) return "negative" end },
    { when = function(s) return s:get("n") == 0 end, step = { name = "zero", run = function(s) return { zero = true } end } },
    { when = function(s) return s:get("n") < 0 end, step = function(s) return "never" end },
  },
  otherwise = function(s) return "positive" end,
})
print(route.kind)
print(json.encode(route))
for _, n in ipairs({ -5, 0, 7 }) do
  print(n, route:run({ n = n }):to_map())
end
local only = workflow.conditional({
  name = "only",
  branches = { { when = function(s) return s:get("input") == "yes" end, step = function(s) return "matched" end } },
})
print(only:run("no"):to_map())
print(only:run("yes"):to_map())
