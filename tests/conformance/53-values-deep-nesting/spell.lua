-- Deeply nested values (60 levels) cross the bridge both ways intact.
local v = "leaf"
local open, close = "", ""
for i = 1, 60 do
  v = { v }
  open = open .. "["
  close = close .. "]"
end
local text = json.encode(v)
print(text == open .. "\"leaf\"" .. close)
local back = json.decode(text)
print(json.encode(back) == text)
print(json.encode(state.create({ v = back }):get("v")) == text)
local m = { n = 0 }
for i = 1, 40 do
  m = { n = i, inner = m }
end
print(json.decode(json.encode(m)).inner.inner.inner.n)
