-- Workflows emit workflow.start/end and workflow.step.start/end with their names.
events.on("workflow.*", function(event)
  local d = event.data
  local line = event.name .. " " .. d.workflow
  if d.step then line = line .. " " .. d.step end
  if d.kind then line = line .. " " .. d.kind end
  if d.ok ~= nil then line = line .. " ok=" .. tostring(d.ok) end
  if d.attempts then line = line .. " attempts=" .. d.attempts end
  if d.error then line = line .. " error=" .. d.error.code end
  print(line)
end)
local inner = workflow.sequential({ name = "inner", steps = { function(s) return "x" end } })
local outer = workflow.sequential({
  name = "outer",
  steps = {
    inner,
    { name = "shaky", run = function(s) error("no") end, on_error = { retry = 1 } },
  },
})
local ok = pcall(function() return outer:run("go") end)
print(ok)
