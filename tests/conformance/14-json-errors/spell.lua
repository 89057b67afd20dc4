-- Bad JSON raises a `json` error; values JSON cannot hold raise `invalid_argument`.
local function code_of(f)
  local code = "ok"
  local ok, e = pcall(f)
  if not ok then code = e.code end
  return code
end
print(code_of(function() return json.decode("{bad") end))
print(code_of(function() return json.decode("") end))
print(code_of(function() return json.decode("[1, 2") end))
print(code_of(function() return json.decode("{\"a\":1} trailing") end))
print(code_of(function() return json.decode(42) end))
print(code_of(function() return json.encode(function() end) end))
print(code_of(function() return json.encode(0.0 / 0.0) end))
print(code_of(function() return json.decode("[1]") end))
local ok, e = pcall(function() return json.decode("{bad") end)
print(ok, type(e.message) == "string" and #e.message > 0)
