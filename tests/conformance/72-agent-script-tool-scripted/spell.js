// An agent calls a script-defined tool and a built-in one, from a scripted provider file.
for (const pattern of ["agent.*", "llm.*", "tool.*"]) {
  events.on(pattern, (event) => {
    const d = event.data;
    print(event.name, d.agent ?? d.tool, json.encode(d.args ?? d.result ?? d.tools ?? d.output ?? ""));
  });
}
tools.define({
  name: "get_weather",
  description: "The weather in a city",
  params: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  run: (args) => ({ city: args.city, celsius: 3 }),
});
const forecaster = agent.create({ name: "forecaster", tools: ["get_weather", "calculator"] });
print(forecaster.model);
print(await forecaster.run("What is the weather in Oslo?"));
