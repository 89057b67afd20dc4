// Saved state outlives the process: the same spell run twice in one workspace sees its last save.
const visits = state.load("visits");
print("visits before:", visits);
state.save("visits", (visits ?? 0) + 1);
print("visits after:", state.load("visits"));
print(state.list("vis"));
