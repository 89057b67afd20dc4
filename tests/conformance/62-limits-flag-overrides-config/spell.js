// A flag wins over llmspell.toml: the config's instruction budget is turned off with 0.
let sum = 0;
for (let i = 1; i <= 200000; i++) {
  sum = sum + i;
}
print(sum);
