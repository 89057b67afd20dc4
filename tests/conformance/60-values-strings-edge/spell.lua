-- Strings with NUL, control characters and quotes, and long strings, cross the bridge intact.
local nul = json.decode("\"a\\u0000b\"")
print(#nul, json.encode(nul))
print(json.encode("tab\there\r\nline"))
local s = "x"
for i = 1, 17 do s = s .. s end
print(#s)
fs.write("big.txt", s)
local back = fs.read("big.txt")
print(#back, back == s)
print(state.create({ s = s }):get("s") == s)
print(json.decode(json.encode(s)) == s)
local quotes = "single ' double \" backslash \\ slash /"
print(quotes)
print(json.encode(quotes))
print(json.decode(json.encode(quotes)) == quotes)
print(json.encode(state.create({ k = nul }):get("k")))
