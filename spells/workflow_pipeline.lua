-- workflow_pipeline: a sequential workflow with a parallel one inside it. A drafter agent
-- writes an announcement; a function step prepares two requests; a headliner and a reviewer
-- agent then work on the draft at the same time; a last step assembles what they wrote.
-- Run: llmspell run spells/workflow_pipeline.lua (also .js and .rhai; same output)
local drafter = agent.create({
  name = "drafter",
  system_prompt = "You write two-sentence product announcements.",
  output_key = "draft",
})
local headliner = agent.create({
  name = "headliner",
  system_prompt = "You write short headlines.",
  input_key = "headline_request",
  output_key = "headline",
})
local reviewer = agent.create({
  name = "reviewer",
  system_prompt = "You review drafts in one sentence.",
  input_key = "review_request",
  output_key = "review",
})

local announce = workflow.sequential({
  name = "announce",
  steps = {
    drafter,
    { name = "prepare", run = function(s)
      return {
        headline_request = "Write a headline for: " .. s:get("draft"),
        review_request = "Review this draft: " .. s:get("draft"),
      }
    end },
    workflow.parallel({ name = "finish", steps = { headliner, reviewer } }),
    { name = "assemble", run = function(s)
      return { headline = s:get("headliner").headline, review = s:get("reviewer").review }
    end },
  },
})

print(json.encode(announce))
local result = announce:run("llmspell 1.0: one runtime for Lua, JavaScript and Rhai spells")
print("headline: " .. result:get("headline"))
print("draft:    " .. result:get("draft"))
print("review:   " .. result:get("review"))
