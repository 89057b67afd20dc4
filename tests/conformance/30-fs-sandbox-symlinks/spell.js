// Symlinks are resolved: one pointing outside the workspace is `sandbox_denied`, one inside works.
function code_of(f) {
  let code = "ok";
  try { f(); } catch (e) { code = e.code; }
  return code;
}
print(code_of(() => fs.read("link/passwd")));
print(code_of(() => fs.read("passwd-link")));
print(code_of(() => fs.write("link/llmspell-conformance.txt", "x")));
print(code_of(() => fs.append("passwd-link", "x")));
print(code_of(() => fs.list("link")));
print(code_of(() => fs.exists("link/passwd")));
print(fs.read("inner-link/in.txt"));
