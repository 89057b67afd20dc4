// Values go into the host and come back unchanged (a State is used as the identity function).
function echo(v) {
  return state.create({ v: v }).get("v");
}
print(echo(42), echo(2.5), echo("str"), echo(true), echo(false));
print(echo([1, 2, 3]));
print(echo({ a: { b: { c: "deep" } } }));
print(echo("ünï🎉"));
print(echo(-9007199254740991));
print(echo(null));
print(echo({ mixed: [1, "two", { three: 3.5 }] }));
print(echo(echo({ x: { y: [1, { z: true }] } })));
