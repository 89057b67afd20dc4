-- Symlinks are resolved: one pointing outside the workspace is `sandbox_denied`, one inside works.
local function code_of(f)
  local code = "ok"
  local ok, e = pcall(f)
  if not ok then code = e.code end
  return code
end
print(code_of(function() return fs.read("link/passwd") end))
print(code_of(function() return fs.read("passwd-link") end))
print(code_of(function() fs.write("link/llmspell-conformance.txt", "x") end))
print(code_of(function() fs.append("passwd-link", "x") end))
print(code_of(function() return fs.list("link") end))
print(code_of(function() return fs.exists("link/passwd") end))
print(fs.read("inner-link/in.txt"))
