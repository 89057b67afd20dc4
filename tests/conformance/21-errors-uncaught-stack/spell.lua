-- The report names the innermost line and lists the script's stack, innermost first.
local function fail_hard(x)
  fs.read("missing-" .. x .. ".txt")
end
local function middle(x)
  fail_hard(x + 1)
end
print("start")
middle(41)
print("unreachable")
