-- json.encode(value, true) pretty-prints with two-space indentation and sorted keys.
print(json.encode({ name = "x", list = { 1, 2 }, nested = { a = true, b = 0.5 } }, true))
print(json.encode({}, true))
print(json.encode(json.decode("[]"), true))
print(json.encode("s", true))
print(json.encode({ { id = 1 } }, true))
