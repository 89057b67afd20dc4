-- Script functions passed to the host come back callable: as event data and inside a State.
local double = function(x) return x * 2 end
events.on("fn", function(e) print(e.data(21)) end)
events.emit("fn", double)
events.emit("fn", function(x) return x + 1 end)
local back = state.create({ f = double }):get("f")
print(back(5))
print(state.create({ n = 1, f = double }):keys())
local list = state.create({ fs = { double, double } }):get("fs")
print(list[2](100))
