// Bad JSON raises a `json` error; values JSON cannot hold raise `invalid_argument`.
function code_of(f) {
  let code = "ok";
  try { f(); } catch (e) { code = e.code; }
  return code;
}
print(code_of(() => json.decode("{bad")));
print(code_of(() => json.decode("")));
print(code_of(() => json.decode("[1, 2")));
print(code_of(() => json.decode("{\"a\":1} trailing")));
print(code_of(() => json.decode(42)));
print(code_of(() => json.encode(() => 1)));
print(code_of(() => json.encode(0.0 / 0.0)));
print(code_of(() => json.decode("[1]")));
try { json.decode("{bad"); } catch (e) {
  print(false, typeof e.message === "string" && e.message.length > 0);
}
