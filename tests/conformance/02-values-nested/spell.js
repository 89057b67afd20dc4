// Nested maps and lists print as compact JSON with sorted keys.
const v = { name: "spell", tags: ["a", "b"], meta: { depth: 2, ratio: 0.75, ok: true }, matrix: [[1, 2], [3, 4]] };
print(v);
print(v.meta);
print(v.tags);
print(v.matrix[1]);
print(v.matrix[0][1], v.meta.ratio, v.meta.ok);
print([[[["deep"]]]]);
print({ list: [{ id: 1, tags: ["x"] }, { id: 2, tags: ["y", "z"] }] });
