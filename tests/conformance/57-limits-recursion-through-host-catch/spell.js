// try/catch cannot swallow a stack overflow that passes through the host either.
let depth = 0;
events.on("again", (e) => {
  depth = depth + 1;
  events.emit("again", depth);
});
print("start");
try { events.emit("again", 0); } catch (e) { print("caught", e.code); }
print("swallowed", false);
