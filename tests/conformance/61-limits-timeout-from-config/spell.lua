-- With no flag, the limits come from [sandbox] in llmspell.toml (here a 1 s timeout).
print("start")
while true do end
