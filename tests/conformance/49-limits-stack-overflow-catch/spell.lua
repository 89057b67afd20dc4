-- pcall cannot swallow a stack overflow.
print("start")
local function dive(n)
  return 1 + dive(n + 1)
end
for attempt = 1, 3 do
  local ok = pcall(dive, 1)
  print("swallowed", attempt, ok)
end
print("end")
