// json.encode writes compact JSON with sorted keys and standard escapes.
print(json.encode({ b: 1, a: [3, 2, 1], c: "x" }));
print(json.encode("quote \" backslash \\ newline \n tab \t"));
print(json.encode(42), json.encode(2.5), json.encode(true), json.encode("s"));
print(json.encode([1, "two", { three: 3 }]));
print(json.encode("ünï ✓"));
print(json.encode("</script> & <b>"));
print(json.encode({ nested: { list: [{ k: "v" }] } }, false));
print(json.encode({ z: { y: { x: 1 } }, a: 0 }));
