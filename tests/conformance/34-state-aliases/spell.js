// The seed constructor aliases: State is the state module, and new is create.
const a = new State({ x: 1 });
const b = state.new({ y: 2 });
const c = State.create({ z: 3 });
print(a.to_map(), b.to_map(), c.to_map());
print(a.set("w", 0).keys());
print(a.get("x"));
