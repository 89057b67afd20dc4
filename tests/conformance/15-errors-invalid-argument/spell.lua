-- Wrong argument types and counts raise `invalid_argument` with the bridge's message, unprefixed.
local function code_of(f)
  local code = "ok"
  local ok, e = pcall(f)
  if not ok then code = e.code end
  return code
end
local function message_of(f)
  local ok, e = pcall(f)
  return e.message
end
print(code_of(function() fs.read(42) end))
print(code_of(function() fs.read() end))
print(code_of(function() fs.exists("a.txt", "b.txt") end))
print(code_of(function() fs.write("a.txt", { 1 }) end))
print(code_of(function() state.create("not a map") end))
print(code_of(function() state.create({}):set(1, "x") end))
print(code_of(function() events.on("x", 42) end))
print(code_of(function() events.off("nope") end))
print(code_of(function() events.emit(7) end))
print(code_of(function() json.encode() end))
print(message_of(function() fs.exists("a.txt", "b.txt") end))
print(message_of(function() json.decode() end))
