// Unbounded recursion ends with `stack_overflow`, never with a crash.
print("start");
function dive(n) {
  return 1 + dive(n + 1);
}
print(dive(1));
