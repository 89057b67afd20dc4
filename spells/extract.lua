-- extract: structured output. With a JSON Schema in `schema`, the model's answer is parsed
-- and validated, and arrives as `data` (a map), ready to use.
-- Run: llmspell run spells/extract.lua (also .js and .rhai; same output)
local schema = {
  type = "object",
  properties = {
    name = { type = "string" },
    email = { type = "string" },
    company = { type = "string" },
    topics = { type = "array", items = { type = "string" } },
  },
  required = { "name", "email", "topics" },
}
local messages = {
  "Hi, Grace Hopper here (grace@navy.example, Remington Rand). Can we talk about compilers and COBOL?",
  "This is Alan from alan@bletchley.example; I would like a quote for a codebreaking machine.",
}
for _, message in ipairs(messages) do
  local response = llm.chat({
    system = "Extract the sender's contact details and the topics they ask about.",
    prompt = "Extract the contact from: " .. message,
    schema = schema,
  })
  local contact = response.data
  print(contact.name .. " <" .. contact.email .. ">", contact.company or "(no company)")
  print("  topics:", table.concat(contact.topics, ", "))
  print("  json:", json.encode(contact))
end
