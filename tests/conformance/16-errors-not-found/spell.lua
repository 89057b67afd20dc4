-- Missing files raise `not_found`; every error value carries a code and a message.
local function code_of(f)
  local code = "ok"
  local ok, e = pcall(f)
  if not ok then code = e.code end
  return code
end
print(code_of(function() return fs.read("missing.txt") end))
print(code_of(function() fs.remove("missing.txt") end))
print(code_of(function() return fs.list("no-such-dir") end))
print(code_of(function() return fs.read("no-such-dir/missing.txt") end))
local ok, e = pcall(function() return fs.read("missing.txt") end)
print(ok, e.code, type(e.message) == "string" and #e.message > 0)
print(fs.exists("missing.txt"))
