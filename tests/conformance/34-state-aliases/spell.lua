-- The seed constructor aliases: State is the state module, and new is create.
local a = State.new({ x = 1 })
local b = state.new({ y = 2 })
local c = State.create({ z = 3 })
print(a:to_map(), b:to_map(), c:to_map())
print(a:set("w", 0):keys())
print(a.get("x"))
