-- Built-in tools: calculator, json_query, datetime (deterministic with a timestamp), files.
local names = {}
for _, t in ipairs(tools.list()) do table.insert(names, t.name) end
print(table.concat(names, " "))
print(tools.call("calculator", { expression = "(2 + 3) * 4 ^ 2" }))
print(tools.call("calculator", { expression = "7 / 2" }), tools.call("calculator", { expression = "sqrt(16) + max(1, -5, 2) % 3" }))
local data = { user = { name = "Ada" }, items = { { n = 1 }, { n = 2 } } }
print(tools.call("json_query", { data = data, path = "user.name" }))
print(json.encode(tools.call("json_query", { data = data, path = "items[*].n" })))
print(tools.call("json_query", { json = "[10, 20, 30]", path = "[-1]" }))
print(tools.call("datetime", { timestamp = 0, format = "%F %T %A" }))
print(tools.call("datetime", { timestamp = 1795627157 }))
local written = tools.call("file_write", { path = "notes/a.txt", content = "hello" })
print(written.path, written.bytes)
print(tools.call("file_read", { path = "notes/a.txt" }))
print(json.encode(tools.call("file_list", { dir = "notes" })))
local calc = tools.get("calculator")
print(calc.name, calc:call({ expression = "-2 ^ 2" }), tools.get("nope") == nil)
local ok, e = pcall(function() return tools.call("file_read", { path = "../outside.txt" }) end)
print(e.code)
ok, e = pcall(function() return tools.call("calculator", { expression = "1 / 0" }) end)
print(e.code, e.message)
