// Agents and tools are steps: named after themselves, an agent reads `input` and writes
// `output`, a tool gets the State's entries as arguments and its map result is merged.
const writer = agent.create({ name: "writer", system_prompt: "Be brief." });
const counter = tools.define({
  name: "count_chars",
  description: "Counts the characters of the output.",
  params: { type: "object", properties: { output: { type: "string" } } },
  run: (args) => ({ chars: args.output.length }),
});
const flow = workflow.sequential({ name: "write", steps: [writer, counter] });
print(json.encode(flow));
const result = await flow.run("hello there");
print(result.to_map());
const fan = workflow.parallel({ name: "fan", steps: [writer, { name: "again", run: writer }] });
const r = await fan.run("hi");
print(r.keys());
print(r.get("writer").output, r.get("again").output);
