// Integers stay integers and floats stay floats (no integral floats: JS cannot tell them apart).
print(42, -42, 0);
print(3.5, -0.125, 100.25);
print(9007199254740991, -9007199254740991);
print(0.1 + 0.2, 1.0 / 3.0);
print(7 * 6, 2.5 * 2.5, 10 - 3);
print(json.encode({ int: 3, float: 3.25, negative: -1 }));
print(json.decode("[1, 2.5, -3, 0.001]"));
const big = json.decode("9007199254740991");
print(big, big - 1);
print({ count: 12, price: 9.99 });
