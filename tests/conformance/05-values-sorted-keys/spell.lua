-- Map keys are always written in sorted (byte) order, whatever order the script used.
local m = { zeta = 1, alpha = 2, Beta = 3, _under = 4, ["10"] = 5, ["9"] = 6, ["é"] = 7 }
print(m)
print(json.encode(m))
print({ [1] = "a", [3] = "c" })
print({ ["2"] = "two", ["1"] = "one", x = "ex" })
print(state.create(m):keys())
print(json.decode("{\"b\":1,\"a\":{\"d\":2,\"c\":3}}"))
