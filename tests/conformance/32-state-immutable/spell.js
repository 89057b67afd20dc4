// A State is immutable: set and merge return a new State and leave the receiver unchanged.
const s1 = state.create({ topic: "rust", count: 1 });
const s2 = s1.set("count", 2);
const s3 = s2.merge({ extra: [1, 2], topic: "lua" });
print(s1.get("count"), s2.get("count"), s3.get("count"));
print(s1.get("topic"), s2.get("topic"), s3.get("topic"));
print(s1.keys());
print(s3.keys());
print(s1.to_map());
print(s2.to_map());
print(s3.to_map());
print(s3.get("extra"));
print(s3.get("missing"));
const s4 = s1.set("nested", { deep: { value: 0.5 } });
print(s4.get("nested").deep.value);
print(s1.to_map());
const s5 = s4.merge({});
print(s5.keys());
print(s1.set("count", 1).set("count", 5).get("count"), s1.get("count"));
