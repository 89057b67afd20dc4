// Concurrent steps give their results in order; the first error ends them all.
// (Lua: async.all; JavaScript: Promise.all; Rhai has no coroutines: the same steps in sequence.)
const results = await Promise.all([
  (async () => json.encode({ step: 1 }))(),
  (async () => {
    try { await http.get("http://127.0.0.1:9/"); } catch (e) { return e.code; }
  })(),
  (async () => "three")(),
]);
results.forEach((r, i) => print(i + 1, r));
try {
  await Promise.all([
    (async () => "fine")(),
    http.get("http://127.0.0.1:9/"),
  ]);
} catch (e) { print(false, e.code); }
