// web_researcher: the seed's research agent. It may fetch pages with the built-in web_fetch
// tool, and the spell saves its report with fs.write. The page asked for here is on a private
// address, which the sandbox's network policy refuses (allow it with [sandbox] allow_hosts):
// the refusal goes back to the model as the tool's result, and the report says so.
// Run: llmspell run spells/web_researcher.js (also .lua and .rhai); writes spells/out/research.md
events.on("error", (event) => {
  print("error event:", event.data.source, event.data.code);
});

const researcher = agent.create({
  name: "web_researcher",
  system_prompt: "You research topics on the web and write short, sourced reports.",
  tools: ["web_fetch"],
  max_turns: 4,
});
const report = await researcher.run("Research the release notes at http://10.0.0.8/wiki/release-notes and summarise them.");
fs.write("out/research.md", "# Release notes research\n\n" + report + "\n");
print(report);
print("saved out/research.md:", fs.exists("out/research.md"));
