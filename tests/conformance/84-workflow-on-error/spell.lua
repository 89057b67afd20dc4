-- on_error = "continue" records the failure under `errors` and goes on; { retry = n } runs a
-- failing step up to n more times; without on_error the workflow fails.
local calls = 0
local function flaky(s)
  calls = calls + 1
  if calls < 3 then error("attempt " .. calls .. " failed") end
  return "ok after " .. calls
end
local tolerant = workflow.sequential({
  name = "tolerant",
  steps = {
    { name = "broken", run = function(s) error("no luck") end, on_error = "continue" },
    function(s) return { after = true } end,
  },
})
local result = tolerant:run("x")
print(result:get("after"))
print(result:get("errors"))
local retrying = workflow.sequential({
  name = "retrying",
  steps = { { name = "flaky", run = flaky, on_error = { retry = 2 } } },
})
print(retrying:run("x"):get("output"), calls)
calls = 0
local impatient = workflow.sequential({
  name = "impatient",
  steps = { { name = "flaky", run = flaky, on_error = { retry = 1 } } },
})
local ok, e = pcall(function() return impatient:run("x") end)
print(ok, e.code, e.message, calls)
local parallel = workflow.parallel({
  name = "fan",
  steps = {
    { name = "good", run = function(s) return 1 end },
    { name = "bad", run = function(s) error("down") end, on_error = "continue" },
  },
})
print(parallel:run("x"):to_map())
