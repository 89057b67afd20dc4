// workflow_triage: a conditional workflow and a loop. Each support ticket is classified by
// the model, routed to the branch for its kind (file a bug, let an agent answer, or hand it
// to a person), and the reply is then shortened in a loop until it fits in 80 characters.
// Run: llmspell run spells/workflow_triage.js (also .lua and .rhai; same output)
const answerer = agent.create({
  name: "answerer",
  system_prompt: "You answer questions about llmspell.",
  output_key: "reply",
});

const route = workflow.conditional({
  name: "route",
  branches: [
    { when: (s) => s.get("kind") === "bug", step: { name: "file_bug", run: (s) => {
      return { reply: "Thanks for the report! We filed it as a bug and will write to you as soon as it is fixed." };
    } } },
    { when: (s) => s.get("kind") === "question", step: answerer },
  ],
  otherwise: { name: "to_person", run: (s) => {
    return { reply: "A person from the team will get back to you." };
  } },
});

const shorten = workflow.loop({
  name: "shorten",
  step: { name: "trim", run: async (s) => {
    return { reply: await llm.complete("Make this reply shorter: " + s.get("reply")), rounds: s.get("rounds") + 1 };
  } },
  until: (s) => s.get("reply").length <= 80,
  max_iterations: 4,
});

const triage = workflow.sequential({
  name: "triage",
  steps: [
    { name: "classify", run: async (s) => {
      return { kind: await llm.complete("Classify this ticket as bug, question or other: " + s.get("input")) };
    } },
    route,
    shorten,
  ],
});

print(json.encode(triage));
const tickets = [
  "The app crashes when I open a file with an emoji in its name.",
  "How do I pass a parameter to a spell?",
  "I love the new logo!",
];
for (const ticket of tickets) {
  const done = await triage.run({ input: ticket, rounds: 0 });
  print(done.get("kind") + " | shortened " + done.get("rounds") + "x | " + done.get("reply"));
}
