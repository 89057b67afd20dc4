// The wall-clock limit also stops a script function the host is calling back.
events.on("spin", (e) => {
  print("handler started");
  while (true) {}
});
print("start");
try { events.emit("spin"); } catch (e) { print("caught", e); }
print("swallowed", false);
