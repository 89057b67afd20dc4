// Handlers run in subscription order; the event is { name, time, data } with data as emitted.
events.on("data.*", (e) => print("first", e.name, json.encode(e.data)));
events.on("data.*", (e) => print("second", e.name));
events.on("data.map", (e) => print("map fields", e.data.n, e.data.list[1], e.data.nested.ok));
events.emit("data.map", { n: 1, list: ["a", "b"], nested: { ok: true } });
events.emit("data.none");
events.emit("data.list", [1, 2.5, "x"]);
events.emit("data.num", 7);
events.emit("data.text", "ünï");
events.on("time.check", (e) => print(e.time != null, e.time > 1700000000, e.name, e.data));
events.emit("time.check", false);
