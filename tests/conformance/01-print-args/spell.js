// print writes its arguments as text, separated by one space, then a newline.
print("hello", "world");
print(1, 2.5, -3, true, false);
print("a", null, "b");
print(null);
print();
print("");
print("tab\tinside", "new\nline");
print(0.1 + 0.2);
print(-0.25, 0.0001, 123456.789);
print("x", 1, [1, 2], { k: "v" });
