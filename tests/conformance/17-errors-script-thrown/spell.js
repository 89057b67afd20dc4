// Script-thrown errors with a code keep it; host errors pass through script frames and rethrows.
try { throw { code: "my_code", message: "custom failure" }; } catch (e) { print(false, e.code, e.message); }

function inner() { return fs.read("nope.txt"); }
function outer() { const text = inner(); return text; }
try { outer(); } catch (e2) { print(false, e2.code); }

try {
  try { fs.read("nope.txt"); } catch (e4) { throw e4; }
} catch (e3) { print(false, e3.code); }


try { state.create({ n: 1 }).set(5, "bad"); } catch (e5) { print(false, e5.code); }

print("still running");
