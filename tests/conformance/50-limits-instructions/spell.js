// An instruction budget stops an endless loop with `instruction_limit`.
print("start");
let n = 0;
while (true) {
  n = n + 1;
}
