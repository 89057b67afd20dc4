// Handlers run before emit returns; off unsubscribes and says whether the id was subscribed.
const id = events.on("greet", (event) => {
  print("handler:", event.name, event.data);
});
print("before emit");
events.emit("greet", "hello");
print("after emit");
events.emit("other", "ignored");
print(events.off(id));
events.emit("greet", "not delivered");
print(events.off(id));
print(events.off(987654));
const a = events.on("x", (event) => {});
const b = events.on("x", (event) => {});
print(a !== b);
print(events.emit("nobody.listens"), fs.write("w.txt", "x"));
print("done");
