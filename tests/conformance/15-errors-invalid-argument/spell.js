// Wrong argument types and counts raise `invalid_argument` with the bridge's message, unprefixed.
function code_of(f) {
  let code = "ok";
  try { f(); } catch (e) { code = e.code; }
  return code;
}
function message_of(f) {
  try { f(); } catch (e) { return e.message; }
  return null;
}
print(code_of(() => fs.read(42)));
print(code_of(() => fs.read()));
print(code_of(() => fs.exists("a.txt", "b.txt")));
print(code_of(() => fs.write("a.txt", [1])));
print(code_of(() => state.create("not a map")));
print(code_of(() => state.create({}).set(1, "x")));
print(code_of(() => events.on("x", 42)));
print(code_of(() => events.off("nope")));
print(code_of(() => events.emit(7)));
print(code_of(() => json.encode()));
print(message_of(() => fs.exists("a.txt", "b.txt")));
print(message_of(() => json.decode()));
