// Ordinary bounded recursion (50 frames deep) works in every engine.
function sum_to(n) {
  if (n === 0) { return 0; }
  return n + sum_to(n - 1);
}
function fib(n) {
  if (n < 2) { return n; }
  return fib(n - 1) + fib(n - 2);
}
print(sum_to(50));
print(fib(20));
print(sum_to(10) + fib(10));
