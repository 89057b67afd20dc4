-- Script-thrown errors with a code keep it; host errors pass through script frames and rethrows.
local ok, e = pcall(function() error({ code = "my_code", message = "custom failure" }) end)
print(ok, e.code, e.message)
local function inner() return fs.read("nope.txt") end
local function outer() local text = inner(); return text end
local ok2, e2 = pcall(outer)
print(ok2, e2.code)
local ok3, e3 = pcall(function()
  local ok4, e4 = pcall(function() fs.read("nope.txt") end)
  error(e4)
end)
print(ok3, e3.code)
local ok5, e5 = pcall(function() state.create({ n = 1 }):set(5, "bad") end)
print(ok5, e5.code)
print("still running")
