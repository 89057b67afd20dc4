// Unbounded recursion that passes through the host (a handler re-emitting its own event)
// ends with `stack_overflow`, not a crash of the process.
let depth = 0;
events.on("again", (e) => {
  depth = depth + 1;
  events.emit("again", depth);
});
print("start");
events.emit("again", 0);
print("unreachable");
