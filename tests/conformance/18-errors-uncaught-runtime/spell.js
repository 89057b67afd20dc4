// An uncaught script error ends the spell with code `runtime` at the line that raised it.
print("before");
throw new Error("boom");
print("after");
