// Agents with a script-defined tool as parallel steps (max_concurrency = 2), each reading its
// own key of the shared State (input_key) and writing `answer` (output_key): every agent runs
// its own tool-calling loop, results come back by step name, and the events add up.
const counts = {};
events.on("*", (event) => { counts[event.name] = (counts[event.name] ?? 0) + 1; });
const seen = [];
tools.define({
  name: "lookup",
  description: "Looks a word up",
  params: { type: "object", properties: { word: { type: "string" } }, required: ["word"] },
  run: (args) => {
    seen.push(args.word);
    return { word: args.word, letters: args.word.length };
  },
});
const words = ["ant", "wasp", "beetle", "moth"];
const steps = [];
const input = {};
for (const word of words) {
  steps.push(agent.create({ name: word, tools: ["lookup"], input_key: "q_" + word, output_key: "answer" }));
  input["q_" + word] = "Tell me about " + word;
}
const zoo = workflow.parallel({ name: "zoo", steps: steps, max_concurrency: 2 });
const result = await zoo.run(input);
print(json.encode(result.keys()));
for (const word of words) {
  const entry = result.get(word);
  print(word, entry.answer, entry["q_" + word]);
}
seen.sort();
print(seen.join(" "));
for (const name of Object.keys(counts).sort()) print(name, counts[name]);
