// Allocating without bound ends with the memory limit.
print("start");
const hoard = [];
let i = 0;
while (true) {
  i = i + 1;
  hoard.push([i, i * 2, "item " + i]);
}
