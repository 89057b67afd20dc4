// extract: structured output. With a JSON Schema in `schema`, the model's answer is parsed
// and validated, and arrives as `data` (a map), ready to use.
// Run: llmspell run spells/extract.js (also .lua and .rhai; same output)
const schema = {
  type: "object",
  properties: {
    name: { type: "string" },
    email: { type: "string" },
    company: { type: "string" },
    topics: { type: "array", items: { type: "string" } },
  },
  required: ["name", "email", "topics"],
};
const messages = [
  "Hi, Grace Hopper here (grace@navy.example, Remington Rand). Can we talk about compilers and COBOL?",
  "This is Alan from alan@bletchley.example; I would like a quote for a codebreaking machine.",
];
for (const message of messages) {
  const response = await llm.chat({
    system: "Extract the sender's contact details and the topics they ask about.",
    prompt: "Extract the contact from: " + message,
    schema: schema,
  });
  const contact = response.data;
  print(contact.name + " <" + contact.email + ">", contact.company ?? "(no company)");
  print("  topics:", contact.topics.join(", "));
  print("  json:", json.encode(contact));
}
