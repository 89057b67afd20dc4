const helper = "hi";
const a = agent.create({ name: "writer" });
a.stream("x", helper);
const out = agent.craete({ name: "typo" });
print(helper);
