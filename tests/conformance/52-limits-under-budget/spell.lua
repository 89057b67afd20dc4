-- A spell within every limit runs to the end, with the limits set by flags.
local sum = 0
for i = 1, 100 do
  sum = sum + i
end
local parts = {}
for i = 1, 20 do parts[i] = i * i end
print(sum, #parts, parts[20])
print(json.encode({ sum = sum }))
