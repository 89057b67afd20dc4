-- A script-defined tool: its arguments are validated against its schema before it runs.
local runs = 0
local shout = tools.define({
  name = "shout",
  description = "Upper-cases a text",
  params = { type = "object", properties = { text = { type = "string" }, times = { type = "integer", minimum = 1 } }, required = { "text" } },
  run = function(args)
    runs = runs + 1
    return string.rep(string.upper(args.text), args.times or 1, " ")
  end,
})
print(shout.name, shout.description)
print(shout:call({ text = "hi" }), tools.call("shout", { text = "yo", times = 2 }))
local found = tools.get("shout")
print(found.name, found:call({ text = "again" }))
for _, t in ipairs(tools.list()) do
  if t.name == "shout" then print(t.builtin, t.params.required[1]) end
end
local function try(f)
  local ok, e = pcall(f)
  if ok then print("ok") else print(e.code, e.message) end
end
try(function() return shout:call({ text = 5 }) end)
try(function() return shout:call({ text = "x", times = 0 }) end)
try(function() return tools.call("shout", { times = 1 }) end)
try(function() return tools.call("missing", { text = "x" }) end)
try(function() return tools.define({ name = "calculator", run = function(args) return 1 end }) end)
try(function() return tools.define({ name = "x", run = function(args) return 1 end, colour = "red" }) end)
print(runs)
