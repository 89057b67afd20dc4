-- summarize_file: reads a file of the workspace and asks the model to summarise it,
-- streaming the answer as it arrives.
-- Run: llmspell run spells/summarize_file.lua -p file=data/notes.txt (also .js and .rhai)
local path = params.file or "data/notes.txt"
local notes = fs.read(path)
print("Summary of " .. path .. " (" .. #notes .. " characters):")
local chunks = 0
local response = llm.stream({
  system = "Summarise meeting notes in at most three short bullet points.",
  prompt = "Summarise these notes:\n\n" .. notes,
}, function(chunk) chunks = chunks + 1 end)
print(response.text)
print("(" .. chunks .. " chunks from " .. response.provider .. ")")
