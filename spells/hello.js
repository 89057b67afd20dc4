// hello: the first spell. The same program is in hello.lua and hello.rhai, and all three
// print the same bytes. Try: llmspell run spells/hello.js -p name=Ada
const who = params.name ?? "world";
const greeting = state.create({ greeting: "Hello" }).set("who", who);
print(greeting.get("greeting") + ", " + greeting.get("who") + "!");
print(json.encode({ spell: spell.name, keys: greeting.keys() }));
