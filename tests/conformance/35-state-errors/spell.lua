-- Bad arguments to state functions raise `invalid_argument`.
local function code_of(f)
  local code = "ok"
  local ok, e = pcall(f)
  if not ok then code = e.code end
  return code
end
local s = state.create({ a = 1 })
print(code_of(function() return s:merge("nope") end))
print(code_of(function() return s:get(42) end))
print(code_of(function() return s:set() end))
print(code_of(function() state.save(42, "x") end))
print(code_of(function() return state.load() end))
print(code_of(function() state.save("f", function() end) end))
print(code_of(function() return state.list(7) end))
print(code_of(function() return s:merge({ b = 2 }) end))
print(s:keys())
