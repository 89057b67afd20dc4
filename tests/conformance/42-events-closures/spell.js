// Handlers are closures: they see and update the script's variables.
let count = 0;
const names = [];
const id = events.on("tick.*", (e) => {
  count = count + 1;
  names.push(e.name);
});
for (let i = 1; i <= 3; i++) {
  events.emit("tick." + i, i);
}
print(count);
print(names);
events.off(id);
events.emit("tick.4");
print(count);
