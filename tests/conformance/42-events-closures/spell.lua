-- Handlers are closures: they see and update the script's variables.
local count = 0
local names = {}
local id = events.on("tick.*", function(e)
  count = count + 1
  names[#names + 1] = e.name
end)
for i = 1, 3 do
  events.emit("tick." .. i, i)
end
print(count)
print(names)
events.off(id)
events.emit("tick.4")
print(count)
