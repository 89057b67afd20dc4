// A State prints as <State {...}> and encodes to JSON as its plain map, also when nested.
const s = state.create({ b: 2, a: "x" });
print(s);
print(json.encode(s));
print(json.encode({ inner: s }));
print(state.create());
print(json.encode(state.create()));
print(json.decode(json.encode(s)));
