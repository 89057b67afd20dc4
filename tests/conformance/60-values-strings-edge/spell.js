// Strings with NUL, control characters and quotes, and long strings, cross the bridge intact.
const nul = json.decode("\"a\\u0000b\"");
print(nul.length, json.encode(nul));
print(json.encode("tab\there\r\nline"));
let s = "x";
for (let i = 1; i <= 17; i++) { s = s + s; }
print(s.length);
fs.write("big.txt", s);
const back = fs.read("big.txt");
print(back.length, back === s);
print(state.create({ s: s }).get("s") === s);
print(json.decode(json.encode(s)) === s);
const quotes = "single ' double \" backslash \\ slash /";
print(quotes);
print(json.encode(quotes));
print(json.decode(json.encode(quotes)) === quotes);
print(json.encode(state.create({ k: nul }).get("k")));
