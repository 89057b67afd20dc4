-- An instruction budget stops an endless loop with `instruction_limit`.
print("start")
local n = 0
while true do
  n = n + 1
end
