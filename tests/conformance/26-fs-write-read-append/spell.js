// fs.write/read/append/exists work on paths relative to the workspace; write creates parents.
fs.write("notes.txt", "first line\n");
print(fs.read("notes.txt"));
fs.append("notes.txt", "second line\n");
print(fs.read("notes.txt"));
fs.write("notes.txt", "overwritten");
print(fs.read("notes.txt"));
fs.write("deep/nested/dir/file.txt", "created parents");
print(fs.read("deep/nested/dir/file.txt"));
print(fs.exists("deep/nested/dir/file.txt"), fs.exists("deep/nested"), fs.exists("nope.txt"));
fs.write("unicode.txt", "ünïcödé ✓ 🎉");
print(fs.read("unicode.txt"));
fs.write("empty.txt", "");
print("[" + fs.read("empty.txt") + "]");
fs.append("empty.txt", "a");
fs.append("empty.txt", "b");
print(fs.read("empty.txt"));
print(fs.read("./notes.txt"));
