-- pcall cannot swallow a stack overflow that passes through the host either.
local depth = 0
events.on("again", function(e)
  depth = depth + 1
  events.emit("again", depth)
end)
print("start")
local ok = pcall(events.emit, "again", 0)
print("swallowed", ok)
