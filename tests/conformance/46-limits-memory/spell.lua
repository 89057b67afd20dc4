-- Allocating without bound ends with the memory limit.
print("start")
local hoard = {}
local i = 0
while true do
  i = i + 1
  hoard[i] = { i, i * 2, "item " .. i }
end
