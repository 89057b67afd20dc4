-- hello: the first spell. The same program is in hello.js and hello.rhai, and all three
-- print the same bytes. Try: llmspell run spells/hello.lua -p name=Ada
local who = params.name or "world"
local greeting = state.create({ greeting = "Hello" }):set("who", who)
print(greeting:get("greeting") .. ", " .. greeting:get("who") .. "!")
print(json.encode({ spell = spell.name, keys = greeting:keys() }))
