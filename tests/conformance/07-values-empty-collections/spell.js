// Empty lists and maps that come from the host keep their kind when they go back.
print(json.decode("[]"));
print(json.decode("{}"));
print(json.encode(json.decode("[]")));
print(json.encode({}));
print(state.create().keys());
print(state.create().to_map());
print(state.list("no-such-prefix:"));
const empty = json.decode("[]");
print(json.encode({ items: empty }));
print(json.decode("{\"a\":[],\"b\":{}}"));
print(state.create({ list: json.decode("[]") }).get("list"));
