-- A language-level error (indexing nil) ends the spell with code `runtime` at its line.
print("start")
local missing = nil
missing.field = 1
print("unreachable")
