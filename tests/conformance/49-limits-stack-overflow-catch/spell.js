// try/catch cannot swallow a stack overflow.
print("start");
function dive(n) {
  return 1 + dive(n + 1);
}
for (let attempt = 1; attempt <= 3; attempt++) {
  try { dive(1); } catch (e) { print("caught", e); }
  print("swallowed", attempt, false);
}
print("end");
