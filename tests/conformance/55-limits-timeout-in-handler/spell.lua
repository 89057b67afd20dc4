-- The wall-clock limit also stops a script function the host is calling back.
events.on("spin", function(e)
  print("handler started")
  while true do end
end)
print("start")
local ok = pcall(events.emit, "spin")
print("swallowed", ok)
