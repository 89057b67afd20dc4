-- pcall cannot swallow the wall-clock limit, even when the script retries.
print("start")
for attempt = 1, 3 do
  local ok = pcall(function() while true do end end)
  print("swallowed", attempt, ok)
end
print("end")
