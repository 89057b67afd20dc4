-- A list of 300,000 integers (a few MB) is far below the default 256 MiB memory limit:
-- building it and handing it to the host works in every engine.
local xs = {}
for i = 1, 300000 do
  xs[#xs + 1] = i
end
print(#xs, xs[300000])
print(#json.encode(xs))
