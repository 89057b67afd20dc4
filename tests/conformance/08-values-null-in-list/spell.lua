-- A null inside a list from the host survives the trip through the script (lossless values).
local l = json.decode("[1,null,3]")
print(l)
print(json.encode(l))
print(l[2] == nil)
print(json.decode("[null]"))
print(json.decode("{\"xs\":[\"a\",null]}").xs)
