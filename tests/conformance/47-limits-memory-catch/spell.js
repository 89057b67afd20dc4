// try/catch cannot swallow the memory limit, even though the hoard is garbage once it returns.
function bomb() {
  const hoard = [];
  let i = 0;
  while (true) {
    i = i + 1;
    hoard.push([i, i * 2, "item " + i]);
  }
}
print("start");
for (let attempt = 1; attempt <= 3; attempt++) {
  try { bomb(); } catch (e) { print("caught", e); }
  print("swallowed", attempt, false);
}
print("end");
