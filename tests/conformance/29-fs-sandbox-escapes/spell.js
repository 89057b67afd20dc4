// Any path outside the workspace is `sandbox_denied`, for every fs function.
function code_of(f) {
  let code = "ok";
  try { f(); } catch (e) { code = e.code; }
  return code;
}
print(code_of(() => fs.read("../outside.txt")));
print(code_of(() => fs.read("/etc/passwd")));
print(code_of(() => fs.write("../escape.txt", "x")));
print(code_of(() => fs.write("/tmp/llmspell-conformance-escape.txt", "x")));
print(code_of(() => fs.append("../escape.txt", "x")));
print(code_of(() => fs.list("..")));
print(code_of(() => fs.list("/")));
print(code_of(() => fs.remove("../escape.txt")));
print(code_of(() => fs.exists("../outside.txt")));
print(code_of(() => fs.exists("/etc/passwd")));
print(code_of(() => fs.read("sub/../../outside.txt")));
print(code_of(() => fs.read("ok.txt")));
