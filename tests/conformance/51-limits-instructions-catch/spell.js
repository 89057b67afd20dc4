// try/catch cannot swallow the instruction budget: it stays spent.
print("start");
for (let attempt = 1; attempt <= 3; attempt++) {
  try {
    let n = 0;
    while (true) { n = n + 1; }
  } catch (e) { print("caught", e); }
  print("swallowed", attempt, false);
}
print("end");
