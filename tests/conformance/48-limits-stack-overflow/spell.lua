-- Unbounded recursion ends with `stack_overflow`, never with a crash.
print("start")
local function dive(n)
  return 1 + dive(n + 1)
end
print(dive(1))
