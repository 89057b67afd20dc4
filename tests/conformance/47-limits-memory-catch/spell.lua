-- pcall cannot swallow the memory limit, even though the hoard is garbage once it returns.
local function bomb()
  local hoard = {}
  local i = 0
  while true do
    i = i + 1
    hoard[i] = { i, i * 2, "item " .. i }
  end
end
print("start")
for attempt = 1, 3 do
  local ok = pcall(bomb)
  print("swallowed", attempt, ok)
end
print("end")
