// Deeply nested values (60 levels) cross the bridge both ways intact.
let v = "leaf";
let open = "", close = "";
for (let i = 1; i <= 60; i++) {
  v = [v];
  open = open + "[";
  close = close + "]";
}
const text = json.encode(v);
print(text === open + "\"leaf\"" + close);
const back = json.decode(text);
print(json.encode(back) === text);
print(json.encode(state.create({ v: back }).get("v")) === text);
let m = { n: 0 };
for (let i = 1; i <= 40; i++) {
  m = { n: i, inner: m };
}
print(json.decode(json.encode(m)).inner.inner.inner.n);
