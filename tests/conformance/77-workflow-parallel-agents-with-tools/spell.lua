-- Agents with a script-defined tool as parallel steps (max_concurrency = 2), each reading its
-- own key of the shared State (input_key) and writing `answer` (output_key): every agent runs
-- its own tool-calling loop, results come back by step name, and the events add up.
local counts = {}
events.on("*", function(event) counts[event.name] = (counts[event.name] or 0) + 1 end)
local seen = {}
tools.define({
  name = "lookup",
  description = "Looks a word up",
  params = { type = "object", properties = { word = { type = "string" } }, required = { "word" } },
  run = function(args)
    table.insert(seen, args.word)
    return { word = args.word, letters = string.len(args.word) }
  end,
})
local words = { "ant", "wasp", "beetle", "moth" }
local steps, input = {}, {}
for i, word in ipairs(words) do
  steps[i] = agent.create({ name = word, tools = { "lookup" }, input_key = "q_" .. word, output_key = "answer" })
  input["q_" .. word] = "Tell me about " .. word
end
local zoo = workflow.parallel({ name = "zoo", steps = steps, max_concurrency = 2 })
local result = zoo:run(input)
print(json.encode(result:keys()))
for _, word in ipairs(words) do
  local entry = result:get(word)
  print(word, entry.answer, entry["q_" .. word])
end
table.sort(seen)
print(table.concat(seen, " "))
local names = {}
for name in pairs(counts) do table.insert(names, name) end
table.sort(names)
for _, name in ipairs(names) do print(name, counts[name]) end
