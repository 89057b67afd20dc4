// try/catch cannot swallow the wall-clock limit, even when the script retries.
print("start");
for (let attempt = 1; attempt <= 3; attempt++) {
  try { while (true) {} } catch (e) { print("caught", e); }
  print("swallowed", attempt, false);
}
print("end");
