-- pcall cannot swallow the instruction budget: it stays spent.
print("start")
for attempt = 1, 3 do
  local ok = pcall(function()
    local n = 0
    while true do n = n + 1 end
  end)
  print("swallowed", attempt, ok)
end
print("end")
