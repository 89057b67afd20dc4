// A list of 300,000 integers (a few MB) is far below the default 256 MiB memory limit:
// building it and handing it to the host works in every engine.
const xs = [];
for (let i = 1; i <= 300000; i++) {
  xs.push(i);
}
print(xs.length, xs[299999]);
print(json.encode(xs).length);
