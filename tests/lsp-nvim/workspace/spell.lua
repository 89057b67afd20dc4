local helper = "hi"
local a = agent.create{ name = "writer" }
a:stream("x", helper)
local out = agent.craete{ name = "typo" }
print(helper)
