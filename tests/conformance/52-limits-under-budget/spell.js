// A spell within every limit runs to the end, with the limits set by flags.
let sum = 0;
for (let i = 1; i <= 100; i++) {
  sum = sum + i;
}
const parts = [];
for (let i = 1; i <= 20; i++) { parts.push(i * i); }
print(sum, parts.length, parts[19]);
print(json.encode({ sum: sum }));
