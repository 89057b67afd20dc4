-- fs.list gives the sorted entry names of a folder; fs.remove deletes a file.
local function code_of(f)
  local code = "ok"
  local ok, e = pcall(f)
  if not ok then code = e.code end
  return code
end
fs.write("box/b.txt", "b")
fs.write("box/a.txt", "a")
fs.write("box/c.txt", "c")
print(fs.list("box"))
fs.remove("box/a.txt")
print(fs.exists("box/a.txt"))
print(fs.list("box"))
print(code_of(function() return fs.read("box/a.txt") end))
fs.remove("box/b.txt")
fs.remove("box/c.txt")
print(fs.list("box"))
