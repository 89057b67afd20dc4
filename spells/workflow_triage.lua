-- workflow_triage: a conditional workflow and a loop. Each support ticket is classified by
-- the model, routed to the branch for its kind (file a bug, let an agent answer, or hand it
-- to a person), and the reply is then shortened in a loop until it fits in 80 characters.
-- Run: llmspell run spells/workflow_triage.lua (also .js and .rhai; same output)
local answerer = agent.create({
  name = "answerer",
  system_prompt = "You answer questions about llmspell.",
  output_key = "reply",
})

local route = workflow.conditional({
  name = "route",
  branches = {
    { when = function(s) return s:get("kind") == "bug" end, step = { name = "file_bug", run = function(s)
      return { reply = "Thanks for the report! We filed it as a bug and will write to you as soon as it is fixed." }
    end } },
    { when = function(s) return s:get("kind") == "question" end, step = answerer },
  },
  otherwise = { name = "to_person", run = function(s)
    return { reply = "A person from the team will get back to you." }
  end },
})

local shorten = workflow.loop({
  name = "shorten",
  step = { name = "trim", run = function(s)
    return { reply = llm.complete("Make this reply shorter: " .. s:get("reply")), rounds = s:get("rounds") + 1 }
  end },
  ["until"] = function(s) return #s:get("reply") <= 80 end,
  max_iterations = 4,
})

local triage = workflow.sequential({
  name = "triage",
  steps = {
    { name = "classify", run = function(s)
      return { kind = llm.complete("Classify this ticket as bug, question or other: " .. s:get("input")) }
    end },
    route,
    shorten,
  },
})

print(json.encode(triage))
local tickets = {
  "The app crashes when I open a file with an emoji in its name.",
  "How do I pass a parameter to a spell?",
  "I love the new logo!",
}
for _, ticket in ipairs(tickets) do
  local done = triage:run({ input = ticket, rounds = 0 })
  print(done:get("kind") .. " | shortened " .. done:get("rounds") .. "x | " .. done:get("reply"))
end
