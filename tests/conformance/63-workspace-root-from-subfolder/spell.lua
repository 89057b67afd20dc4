-- The workspace root is the nearest folder at or above the spell holding llmspell.toml:
-- fs and state paths are relative to it, not to the spell's folder or the current directory.
print(spell.name)
print(fs.read("data/in.txt"))
print(fs.exists("scripts/nested"), fs.exists("llmspell.toml"))
fs.write("out/result.txt", "written from a subfolder")
state.save("where", "root")
print(state.load("where"))
print(fs.list("scripts"))
