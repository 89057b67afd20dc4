// Deliberate mistakes: `tsc -p tsconfig.bad.json` must report each one, and only these, when
// checking this file against editors/stubs/llmspell.d.ts (tests/stubs/bad.expected.txt).
agent.craete({ name: "a" });
agent.create({ name: "a", colour: "red" });
agent.create({ model: "scripted/echo" });
fs.read();
fs.read(42);
const answer = await llm.complete("hi");
answer.toFixed(2);
workflow.sequential({ name: "w", steps: [42] });
const doubled = new State({ n: 1 }).get("n") * 2;
print(doubled, spell.name.toUpperCase(), spell.nmae);
