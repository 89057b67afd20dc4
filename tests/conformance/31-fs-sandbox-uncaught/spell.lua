-- An uncaught sandbox violation ends the spell with `sandbox_denied`.
print("start")
print(fs.read("/etc/passwd"))
print("unreachable")
