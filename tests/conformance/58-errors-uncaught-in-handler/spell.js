// A host error inside a handler leaves emit with its code; uncaught, it names the handler's line.
events.on("load", (e) => {
  fs.read(e.data);
});
try { events.emit("load", "missing.txt"); } catch (err) { print(false, err.code); }

print("now uncaught");
events.emit("load", "also-missing.txt");
print("unreachable");
