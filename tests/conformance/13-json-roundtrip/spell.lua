-- encode -> decode -> encode gives the same text, and decoded values read back correctly.
local original = { name = "round", list = { 1, 2.5, "three", true }, map = { x = { y = { z = "deep" } } }, unicode = "ñ✓" }
local text = json.encode(original)
print(text)
local back = json.decode(text)
print(json.encode(back) == text)
print(back.map.x.y.z)
print(back.list[2], back.list[3], back.list[4])
print(json.encode(json.decode(json.encode(back))))
print(json.decode(json.encode(original, true)))
