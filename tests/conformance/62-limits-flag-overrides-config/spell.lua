-- A flag wins over llmspell.toml: the config's instruction budget is turned off with 0.
local sum = 0
for i = 1, 200000 do
  sum = sum + i
end
print(sum)
