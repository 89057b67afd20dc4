-- `spell` describes the running spell; only `engine` (and the path's extension) differ by language.
print(spell.name)
print(spell.engine == "lua")
print(spell.path == "spell.lua")
local engines = { lua = true, js = true, rhai = true }
print(engines[spell.engine] == true)
print(type(spell.engine) == "string")
