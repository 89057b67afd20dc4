-- Unicode text crosses the bridge intact, in strings, map keys and JSON.
local s = "héllo wörld ✓ 日本語 🎉"
print(s)
print(json.encode(s))
print(json.decode(json.encode(s)) == s)
print({ ["ключ"] = "值", emoji = "🎉" })
print(json.decode("\"\\u00e9\\u4e2d\\ud83c\\udf89\""))
print("naïve" .. " " .. "café")
print(state.create({ ["名前"] = "エイダ" }):get("名前"))
print(json.decode("{\"ñ\":\"ü\"}"))
