// Missing files raise `not_found`; every error value carries a code and a message.
function code_of(f) {
  let code = "ok";
  try { f(); } catch (e) { code = e.code; }
  return code;
}
print(code_of(() => fs.read("missing.txt")));
print(code_of(() => fs.remove("missing.txt")));
print(code_of(() => fs.list("no-such-dir")));
print(code_of(() => fs.read("no-such-dir/missing.txt")));
try { fs.read("missing.txt"); } catch (e) {
  print(false, e.code, typeof e.message === "string" && e.message.length > 0);
}
print(fs.exists("missing.txt"));
