-- Booleans and nil/null/() convert both ways; a missing field reads as nil.
print(true, false)
print(1 < 2, 2 < 1)
print(json.encode({ yes = true, no = false }))
print(json.decode("true"), json.decode("false"))
print(json.decode("null"))
print(json.encode(nil))
print(json.decode("null") == nil)
local m = { a = 1 }
print(m.missing)
print(state.load("never-saved"))
print(state.create({ a = 1 }):get("b"))
print(json.encode({ flags = { true, false, true } }))
print(state.create({ on = false }):get("on") == false)
