// NaN and infinities print as nan/inf/-inf; tiny floats print in full; JSON refuses non-finite numbers.
print(0.0 / 0.0, 1.0 / 0.0, -1.0 / 0.0);
print(1e-7, 2.5e-3, -0.000125);
print([1.0 / 0.0, -1.0 / 0.0]);
print(json.encode({ tiny: 1e-7 }));
try { json.encode(1.0 / 0.0); } catch (e) {
  print(false, e.code); }
