-- Bad request maps are `invalid_argument` naming the key; an unknown provider is `provider_config`.
local function try(f)
  local ok, e = pcall(f)
  if ok then print("ok") else print(e.code, e.message) end
end
try(function() return llm.chat({ prompt = "x", colour = 1 }) end)
try(function() return llm.chat({ prompt = "x", temperature = "hot" }) end)
try(function() return llm.chat({ system = "x" }) end)
try(function() return llm.chat({ prompt = "x", max_tokens = 0 }) end)
try(function() return llm.complete({ prompt = "x", tools = { "nope" } }) end)
try(function() return llm.complete({ messages = { { role = "robot", content = "x" } } }) end)
local ok, e = pcall(function() return llm.complete({ prompt = "x", model = "nowhere/m" }) end)
print(e.code)
try(function() return llm.chat(42) end)
try(function() return llm.complete({ prompt = "fine", max_tokens = 5 }) end)
