-- Concurrent steps give their results in order; the first error ends them all.
-- (Lua: async.all; JavaScript: Promise.all; Rhai has no coroutines: the same steps in sequence.)
local results = async.all({
  function() return json.encode({ step = 1 }) end,
  function()
    local ok, e = pcall(http.get, "http://127.0.0.1:9/")
    return e.code
  end,
  function() return "three" end,
})
for i, r in ipairs(results) do print(i, r) end
local ok, e = pcall(async.all, {
  function() return "fine" end,
  function() return http.get("http://127.0.0.1:9/") end,
})
print(ok, e.code)
