-- Saved state outlives the process: the same spell run twice in one workspace sees its last save.
local visits = state.load("visits")
print("visits before:", visits)
state.save("visits", (visits or 0) + 1)
print("visits after:", state.load("visits"))
print(state.list("vis"))
