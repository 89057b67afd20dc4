// fs.list gives the sorted entry names of a folder; fs.remove deletes a file.
function code_of(f) {
  let code = "ok";
  try { f(); } catch (e) { code = e.code; }
  return code;
}
fs.write("box/b.txt", "b");
fs.write("box/a.txt", "a");
fs.write("box/c.txt", "c");
print(fs.list("box"));
fs.remove("box/a.txt");
print(fs.exists("box/a.txt"));
print(fs.list("box"));
print(code_of(() => fs.read("box/a.txt")));
fs.remove("box/b.txt");
fs.remove("box/c.txt");
print(fs.list("box"));
