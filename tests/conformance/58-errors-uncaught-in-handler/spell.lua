-- A host error inside a handler leaves emit with its code; uncaught, it names the handler's line.
events.on("load", function(e)
  fs.read(e.data)
end)
local ok, err = pcall(events.emit, "load", "missing.txt")
print(ok, err.code)
print("now uncaught")
events.emit("load", "also-missing.txt")
print("unreachable")
