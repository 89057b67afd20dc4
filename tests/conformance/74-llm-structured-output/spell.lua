-- Structured output: with `schema`, the answer is parsed and validated into `data`.
local schema = {
  type = "object",
  properties = { name = { type = "string" }, born = { type = "integer" }, fields = { type = "array", items = { type = "string" } } },
  required = { "name" },
}
local r = llm.chat({ prompt = "Who was Ada?", schema = schema })
print(r.data.name, r.data.born, r.data.fields[2], r.provider)
print(r.text)
local ok, e = pcall(function() return llm.chat({ prompt = "broken", schema = schema }) end)
print(ok, e.code)
ok, e = pcall(function() return llm.chat({ prompt = "x", schema = { type = 12 } }) end)
print(ok, e.code)
