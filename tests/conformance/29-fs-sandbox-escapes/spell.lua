-- Any path outside the workspace is `sandbox_denied`, for every fs function.
local function code_of(f)
  local code = "ok"
  local ok, e = pcall(f)
  if not ok then code = e.code end
  return code
end
print(code_of(function() return fs.read("../outside.txt") end))
print(code_of(function() return fs.read("/etc/passwd") end))
print(code_of(function() fs.write("../escape.txt", "x") end))
print(code_of(function() fs.write("/tmp/llmspell-conformance-escape.txt", "x") end))
print(code_of(function() fs.append("../escape.txt", "x") end))
print(code_of(function() return fs.list("..") end))
print(code_of(function() return fs.list("/") end))
print(code_of(function() fs.remove("../escape.txt") end))
print(code_of(function() return fs.exists("../outside.txt") end))
print(code_of(function() return fs.exists("/etc/passwd") end))
print(code_of(function() return fs.read("sub/../../outside.txt") end))
print(code_of(function() return fs.read("ok.txt") end))
