// `spell` describes the running spell; only `engine` (and the path's extension) differ by language.
print(spell.name);
print(spell.engine === "js");
print(spell.path === "spell.js");
const engines = { lua: true, js: true, rhai: true };
print(engines[spell.engine] === true);
print(typeof spell.engine === "string");
