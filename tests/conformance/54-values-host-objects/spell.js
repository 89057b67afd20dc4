// Host objects keep their identity and methods inside lists, maps, states and event data.
const s = state.create({ a: 1 });
const holder = state.create({ inner: s, list: [s, s] });
print(holder.get("inner").get("a"));
print(holder.get("list")[1].set("b", 2).to_map());
print(json.encode(holder));
print([s]);
print({ key: s });
events.on("obj", (e) => print("event data:", e.data.get("a"), e.data.keys()));
events.emit("obj", s);
events.on("objs", (e) => print("nested:", e.data.state.get("a")));
events.emit("objs", { state: s });
print(s.to_map());
