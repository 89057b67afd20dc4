// A handler may emit: the nested event's handlers run before the inner emit returns.
events.on("outer", (e) => {
  print("outer start", e.data);
  events.emit("inner", e.data + 1);
  print("outer end", e.data);
});
events.on("inner", (e) => {
  print("inner got", e.data);
  events.emit("innermost", { from: e.name });
});
events.on("innermost", (e) => print("innermost from", e.data.from));
events.emit("outer", 1);
print("after");
