// Script functions passed to the host come back callable: as event data and inside a State.
const double = (x) => x * 2;
events.on("fn", (e) => print(e.data(21)));
events.emit("fn", double);
events.emit("fn", (x) => x + 1);
const back = state.create({ f: double }).get("f");
print(back(5));
print(state.create({ n: 1, f: double }).keys());
const list = state.create({ fs: [double, double] }).get("fs");
print(list[1](100));
