// The report names the innermost line and lists the script's stack, innermost first.
function fail_hard(x) {
  fs.read("missing-" + x + ".txt");
}
function middle(x) {
  fail_hard(x + 1);
}
print("start");
middle(41);
print("unreachable");
