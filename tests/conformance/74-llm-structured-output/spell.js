// Structured output: with `schema`, the answer is parsed and validated into `data`.
const schema = {
  type: "object",
  properties: { name: { type: "string" }, born: { type: "integer" }, fields: { type: "array", items: { type: "string" } } },
  required: ["name"],
};
const r = await llm.chat({ prompt: "Who was Ada?", schema: schema });
print(r.data.name, r.data.born, r.data.fields[1], r.provider);
print(r.text);
try { await llm.chat({ prompt: "broken", schema: schema }); } catch (e) { print(false, e.code); }
try { await llm.chat({ prompt: "x", schema: { type: 12 } }); } catch (e) { print(false, e.code); }
