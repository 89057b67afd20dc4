-- research_agent: an agent that answers with a tool the spell defines itself (lookup_fact).
-- The model decides to call the tool; the spell runs it and prints each call.
-- Run: llmspell run spells/research_agent.lua (also .js and .rhai; same output)
local facts = {
  ["rust 1.0"] = "Rust 1.0 was released on 15 May 2015.",
  ["rust origins"] = "Rust began in 2006 as a personal project of Graydon Hoare at Mozilla.",
}

tools.define({
  name = "lookup_fact",
  description = "Looks a topic up in the team's fact sheet",
  params = { type = "object", properties = { topic = { type = "string" } }, required = { "topic" } },
  run = function(args)
    return facts[args.topic] or "no fact about that topic"
  end,
})

events.on("tool.call", function(event)
  print("tool call:", event.data.tool, json.encode(event.data.args))
end)

local researcher = agent.create({
  name = "researcher",
  system_prompt = "You research questions with lookup_fact and answer in one sentence.",
  tools = { "lookup_fact" },
})
print(researcher:run("Research: when did Rust 1.0 come out, and how did Rust start?"))
