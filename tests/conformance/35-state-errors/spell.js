// Bad arguments to state functions raise `invalid_argument`.
function code_of(f) {
  let code = "ok";
  try { f(); } catch (e) { code = e.code; }
  return code;
}
const s = state.create({ a: 1 });
print(code_of(() => s.merge("nope")));
print(code_of(() => s.get(42)));
print(code_of(() => s.set()));
print(code_of(() => state.save(42, "x")));
print(code_of(() => state.load()));
print(code_of(() => state.save("f", () => 1)));
print(code_of(() => state.list(7)));
print(code_of(() => s.merge({ b: 2 })));
print(s.keys());
