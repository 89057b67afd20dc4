// encode -> decode -> encode gives the same text, and decoded values read back correctly.
const original = { name: "round", list: [1, 2.5, "three", true], map: { x: { y: { z: "deep" } } }, unicode: "ñ✓" };
const text = json.encode(original);
print(text);
const back = json.decode(text);
print(json.encode(back) === text);
print(back.map.x.y.z);
print(back.list[1], back.list[2], back.list[3]);
print(json.encode(json.decode(json.encode(back))));
print(json.decode(json.encode(original, true)));
