// An uncaught host error ends the spell with the host error's code, at the calling line.
print("before");
fs.read("missing.txt");
print("after");
