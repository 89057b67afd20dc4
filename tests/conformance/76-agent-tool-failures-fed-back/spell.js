// A failing tool call does not end the agent's run: bad arguments, an unknown tool and an
// error the tool raises are sent back to the model as {"error": {code, message}} tool
// results next to the good one (6 messages on the second turn), and reported as `error` events.
for (const pattern of ["tool.*", "error", "llm.request", "agent.end"]) {
  events.on(pattern, (event) => {
    const d = event.data;
    print(event.name, d.tool ?? d.agent ?? d.source, json.encode(d.args ?? d.result ?? d.message ?? d.messages ?? d.turns));
  });
}
tools.define({
  name: "shout",
  description: "Upper-cases text; text starting with { is decoded as JSON",
  params: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
  run: (args) => {
    if (args.text.startsWith("{")) return json.decode(args.text);
    return args.text.toUpperCase();
  },
});
const crier = agent.create({ name: "crier", tools: ["shout"] });
print(await crier.run("shout hi"));
