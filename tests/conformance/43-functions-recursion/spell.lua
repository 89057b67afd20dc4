-- Ordinary bounded recursion (50 frames deep) works in every engine.
local function sum_to(n)
  if n == 0 then return 0 end
  return n + sum_to(n - 1)
end
local function fib(n)
  if n < 2 then return n end
  return fib(n - 1) + fib(n - 2)
end
print(sum_to(50))
print(fib(20))
print(sum_to(10) + fib(10))
