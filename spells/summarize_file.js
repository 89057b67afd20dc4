// summarize_file: reads a file of the workspace and asks the model to summarise it,
// streaming the answer as it arrives.
// Run: llmspell run spells/summarize_file.js -p file=data/notes.txt (also .lua and .rhai)
const path = params.file ?? "data/notes.txt";
const notes = fs.read(path);
print("Summary of " + path + " (" + notes.length + " characters):");
let chunks = 0;
const response = await llm.stream({
  system: "Summarise meeting notes in at most three short bullet points.",
  prompt: "Summarise these notes:\n\n" + notes,
}, (chunk) => { chunks += 1; });
print(response.text);
print("(" + chunks + " chunks from " + response.provider + ")");
