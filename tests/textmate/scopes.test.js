// The scopes the Rhai grammar gives each construct, token by token.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const { loadRhaiGrammar, tokenAt } = require('./textmate');

let grammarPromise = null;
const rhaiGrammar = () => (grammarPromise ??= loadRhaiGrammar());

// Asserts that the token starting the `occurrence`-th `needle` of `source` is exactly `text`
// (the needle itself unless given) and carries `scope`; returns the token for further checks.
async function check(source, needle, scope, { occurrence = 0, text = needle } = {}) {
  const token = tokenAt(await rhaiGrammar(), source, needle, occurrence);
  const where = `${JSON.stringify(needle)} #${occurrence} in ${JSON.stringify(source)}`;
  assert.equal(token.text, text, `token text of ${where}`);
  assert.ok(token.scopes.includes(scope), `${where}: expected ${scope}, got ${token.scopes.join(' ')}`);
  return token;
}

// Asserts that the token starting at `needle` carries no scope starting with `prefix`.
async function checkNot(source, needle, prefix, { occurrence = 0 } = {}) {
  const token = tokenAt(await rhaiGrammar(), source, needle, occurrence);
  const unwanted = token.scopes.filter((scope) => scope.startsWith(prefix));
  assert.deepEqual(unwanted, [], `${JSON.stringify(needle)} in ${JSON.stringify(source)}: ${token.scopes.join(' ')}`);
}

test('keywords', async () => {
  await check('let x = 1;', 'let', 'keyword.other.let.rhai');
  await check('let x = 1;', 'x', 'variable.other.declaration.rhai');
  await check('const MAX = 1;', 'const', 'keyword.other.const.rhai');
  await check('const MAX = 1;', 'MAX', 'variable.other.constant.rhai');
  await check('private fn f() {}', 'private', 'storage.modifier.private.rhai');
  await check('fn f() {}', 'fn', 'keyword.other.fn.rhai');
  const control = [
    ['if x { 1 } else { 2 }', ['if', 'else'], 'keyword.control.conditional.rhai'],
    ['switch x { _ => 1 }', ['switch'], 'keyword.control.conditional.rhai'],
    ['while x { break; continue; }', ['while'], 'keyword.control.loop.rhai'],
    ['loop { break; }', ['loop'], 'keyword.control.loop.rhai'],
    ['do { x } until x;', ['do', 'until'], 'keyword.control.loop.rhai'],
    ['for x in y { }', ['for', 'in'], 'keyword.control.loop.rhai'],
    ['loop { break; continue; return 1; }', ['break', 'continue', 'return'], 'keyword.control.flow.rhai'],
    ['try { throw 1; } catch (e) { }', ['try', 'throw', 'catch'], 'keyword.control.exception.rhai'],
    ['import "m" as m; export x;', ['import', 'as', 'export'], 'keyword.control.import.rhai'],
  ];
  for (const [source, keywords, scope] of control) {
    for (const keyword of keywords) await check(source, keyword, scope);
  }
  await check('this.x = global::y;', 'this', 'variable.language.this.rhai');
  await check('this.x = global::y;', 'global', 'variable.language.global.rhai');
  await check('let t = true || false;', 'true', 'constant.language.boolean.rhai');
  await check('let t = true || false;', 'false', 'constant.language.boolean.rhai');
  await checkNot('let lettuce = 1;', 'lettuce', 'keyword.');
  await checkNot('let format = 1;', 'format', 'keyword.');
});

test('numbers', async () => {
  await check('let n = 0x_ff;', '0x_ff', 'constant.numeric.integer.hexadecimal.rhai');
  await check('let n = 0XFF;', '0XFF', 'constant.numeric.integer.hexadecimal.rhai');
  await check('let n = 0o7_7;', '0o7_7', 'constant.numeric.integer.octal.rhai');
  await check('let n = 0b1010_0101;', '0b1010_0101', 'constant.numeric.integer.binary.rhai');
  await check('let n = 1_000_000;', '1_000_000', 'constant.numeric.integer.decimal.rhai');
  await check('let n = 3.14_15;', '3.14_15', 'constant.numeric.float.rhai');
  await check('let n = 1e10;', '1e10', 'constant.numeric.float.rhai');
  await check('let n = 6.02e+23;', '6.02e+23', 'constant.numeric.float.rhai');
  await check('let n = 1.5E-3;', '1.5E-3', 'constant.numeric.float.rhai');
  // The rhai tokenizer reads `5.` as 5.0 when no digit, `_`, `.` or letter follows the dot.
  await check('let n = 5.;', '5.', 'constant.numeric.float.rhai');
  await check('let n = 5. + 1;', '5.', 'constant.numeric.float.rhai');
  await check('let n = 5.abs();', '5', 'constant.numeric.integer.decimal.rhai');
  await check('let n = 5.abs();', 'abs', 'entity.name.function.method.rhai');
  await check('for i in 1..10 {}', '1', 'constant.numeric.integer.decimal.rhai');
  await check('for i in 1..10 {}', '..', 'keyword.operator.range.rhai');
  await check('for i in 1..=10 {}', '..=', 'keyword.operator.range.rhai');
  await checkNot('let x1 = 2;', '1', 'constant.numeric');
});

test('strings, escapes and characters', async () => {
  const source = 'let s = "tab\\there \\x41\\u00e9\\U0001F600 ""quoted"" \\q";';
  await check(source, '"tab', 'punctuation.definition.string.begin.rhai', { text: '"' });
  await check(source, 'tab', 'string.quoted.double.rhai');
  await check(source, '\\t', 'constant.character.escape.rhai');
  await check(source, '\\x41', 'constant.character.escape.rhai');
  await check(source, '\\u00e9', 'constant.character.escape.rhai');
  await check(source, '\\U0001F600', 'constant.character.escape.rhai');
  await check(source, '""', 'constant.character.escape.rhai');
  await check(source, '\\q', 'invalid.illegal.unknown-escape.rhai');
  await check(source, ';', 'punctuation.terminator.statement.rhai', { occurrence: 0 });
  // `/*` and `//` inside a string are text.
  await check('let s = "/* not // a comment";', '/*', 'string.quoted.double.rhai', { text: '/* not // a comment' });
  // A `\` at the end of a line continues the string on the next line.
  await check('let s = "one \\\ntwo";\nlet t = 1;', 'two', 'string.quoted.double.rhai');
  await check('let s = "one \\\ntwo";\nlet t = 1;', 'let', 'keyword.other.let.rhai', { occurrence: 1 });
  // An unterminated string ends at its line's end.
  await check('let s = "open\nlet t = 1;', 'let', 'keyword.other.let.rhai', { occurrence: 1 });
  await check("let c = 'a';", "'a'", 'string.quoted.single.rhai', { text: "'" });
  await check("let c = 'a';", 'a', 'string.quoted.single.rhai');
  await check("let c = '\\n';", '\\n', 'constant.character.escape.rhai');
});

test('raw strings', async () => {
  const source = 'let r = #"a "quoted" \\n b"#; let z = 1;';
  await check(source, '#"', 'string.quoted.other.raw.rhai');
  await check(source, 'a "quoted"', 'string.quoted.other.raw.rhai', { text: 'a "quoted" \\n b' });
  await check(source, '"#', 'punctuation.definition.string.end.rhai');
  await check(source, 'let', 'keyword.other.let.rhai', { occurrence: 1 });
  // With two `#`s, `"#` does not close the string, `"##` does; raw strings span lines.
  const twoHashes = 'let r = ##"one "# two\nthree"##; let z = 1;';
  await check(twoHashes, 'one', 'string.quoted.other.raw.rhai', { text: 'one "# two' });
  await check(twoHashes, 'three', 'string.quoted.other.raw.rhai');
  await check(twoHashes, 'z', 'variable.other.declaration.rhai');
});

test('back-tick strings interpolate embedded Rhai', async () => {
  const source = 'let s = `total: ${ count + 1 } items`;';
  await check(source, 'total', 'string.interpolated.rhai', { text: 'total: ' });
  const open = await check(source, '${', 'punctuation.section.interpolation.begin.rhai');
  assert.ok(open.scopes.includes('meta.interpolation.rhai'));
  const inside = await check(source, 'count', 'variable.other.readwrite.rhai');
  assert.deepEqual(inside.scopes, [
    'source.rhai',
    'string.interpolated.rhai',
    'meta.interpolation.rhai',
    'meta.embedded.line.rhai',
    'source.rhai',
    'variable.other.readwrite.rhai',
  ]);
  await check(source, '+', 'keyword.operator.arithmetic.rhai');
  await check(source, '}', 'punctuation.section.interpolation.end.rhai');
  const after = await check(source, ' items', 'string.interpolated.rhai');
  assert.ok(!after.scopes.includes('meta.embedded.line.rhai'));
  await check(source, ';', 'punctuation.terminator.statement.rhai');
  // The braces of a block or an object map inside `${…}` do not end it.
  const braces = 'let s = `${ if ok { #{ a: 1 }.a } else { 0 } } done`; let z = 1;';
  await check(braces, '#{', 'punctuation.section.map.begin.rhai');
  await check(braces, 'else', 'keyword.control.conditional.rhai');
  await check(braces, ' done', 'string.interpolated.rhai');
  await check(braces, 'z', 'variable.other.declaration.rhai');
  // Strings inside an interpolation, and multi-line back-tick strings.
  await check('let s = `a ${ "}" } b`;', ' b', 'string.interpolated.rhai');
  await check('let s = `one\ntwo ${x}\nthree`; let z = 1;', 'three', 'string.interpolated.rhai');
  await check('let s = `one\ntwo ${x}\nthree`; let z = 1;', 'z', 'variable.other.declaration.rhai');
  // A doubled back-tick is a back-tick, and `\${` is a literal `${`.
  await check('let s = `say ``hi`` now`;', '``', 'constant.character.escape.rhai');
  await check('let s = `say ``hi`` now`;', ' now', 'string.interpolated.rhai');
  await check('let s = `cost \\${x}`;', '\\${', 'constant.character.escape.rhai');
  await check('let s = `cost \\${x}`;', 'x', 'string.interpolated.rhai', { occurrence: 0, text: 'x}' });
});

test('comments', async () => {
  await check('let x = 1; // note', '// note', 'comment.line.double-slash.rhai', { text: '//' });
  await check('let x = 1; // note', ' note', 'comment.line.double-slash.rhai');
  await check('/// Adds one.\nfn f(x) { x + 1 }', '///', 'comment.line.documentation.rhai');
  await check('//! The script.', '//!', 'comment.line.documentation.rhai');
  await check('//// not documentation', '////', 'comment.line.double-slash.rhai', { text: '//' });
  const nested = 'let a = /* outer /* inner */ still outer */ b;';
  await check(nested, ' inner', 'comment.block.rhai', { text: ' inner ' });
  await check(nested, 'still outer', 'comment.block.rhai', { text: ' still outer ' });
  await check(nested, 'b;', 'variable.other.readwrite.rhai', { text: 'b' });
  const multiLine = '/* one\n/* two\n*/ still\n*/ let z = 1;';
  await check(multiLine, 'still', 'comment.block.rhai', { text: ' still' });
  await check(multiLine, 'z', 'variable.other.declaration.rhai');
  await check('/** Documented. */ fn f() {}', 'Documented', 'comment.block.documentation.rhai', {
    text: ' Documented. ',
  });
  await checkNot('/*** banner */ fn f() {}', 'banner', 'comment.block.documentation');
  // As in rhai, `/**/` opens a doc comment that the next `*/` closes.
  await check('/**/ still */ fn f() {}', 'still', 'comment.block.documentation.rhai', { text: '/ still ' });
  await check('/**/ still */ fn f() {}', 'fn', 'keyword.other.fn.rhai');
  await check('/***/ let z = 1;', 'z', 'variable.other.declaration.rhai');
  await check('#!/usr/bin/env llmspell\nlet x = 1;', '#!', 'comment.line.shebang.rhai');
  await checkNot('let x = 1;\n#!not a shebang', '#!', 'comment.line.shebang');
});

test('object maps, arrays and operators', async () => {
  const map = 'let m = #{ name: "x", "quoted key": 1, nested: #{ a: [1, 2] } };';
  await check(map, '#{', 'punctuation.section.map.begin.rhai');
  await check(map, 'name', 'meta.object-literal.key.rhai');
  await check(map, ':', 'punctuation.separator.key-value.rhai');
  await check(map, '"quoted key"', 'string.quoted.double.rhai', { text: '"' });
  await check(map, '#{', 'punctuation.section.map.begin.rhai', { occurrence: 1 });
  await check(map, '[', 'punctuation.section.brackets.begin.rhai');
  await check(map, '}', 'punctuation.section.braces.end.rhai');
  const operators = [
    ['a?.b', '?.', 'punctuation.accessor.optional.rhai'],
    ['a?[0]', '?[', 'punctuation.section.brackets.begin.optional.rhai'],
    ['a ?? b', '??', 'keyword.operator.coalesce.rhai'],
    ['a[1..]', '..', 'keyword.operator.range.rhai'],
    ['a[..=2]', '..=', 'keyword.operator.range.rhai'],
    ['m::f()', '::', 'punctuation.separator.namespace.rhai'],
    ['switch x { 1 => 2 }', '=>', 'keyword.operator.arrow.rhai'],
    ['x !in y', '!in', 'keyword.operator.in.rhai'],
    ['x **= 2', '**=', 'keyword.operator.assignment.compound.rhai'],
    ['x <<= 2', '<<=', 'keyword.operator.assignment.compound.rhai'],
    ['x ** 2', '**', 'keyword.operator.arithmetic.rhai'],
    ['x <= 2', '<=', 'keyword.operator.comparison.rhai'],
    ['x != 2', '!=', 'keyword.operator.comparison.rhai'],
    ['a && !b', '&&', 'keyword.operator.logical.rhai'],
    ['a && !b', '!', 'keyword.operator.logical.rhai'],
    ['a || b', '||', 'keyword.operator.logical.rhai'],
    ['a | b | c', '|', 'keyword.operator.bitwise.rhai'],
    ['a | b | c', '|', 'keyword.operator.bitwise.rhai', 1],
    ['a >> 2 ^ b', '^', 'keyword.operator.bitwise.rhai'],
    ['x = 1', '=', 'keyword.operator.assignment.rhai'],
  ];
  for (const [source, needle, scope, occurrence = 0] of operators) {
    await check(source, needle, scope, { occurrence });
  }
  await check('m::f()', 'm', 'entity.name.namespace.rhai');
  await check('a?.b', 'b', 'variable.other.property.rhai');
});

test('functions, calls, methods and closures', async () => {
  const definition = 'private fn add(first, second) { first + second }';
  await check(definition, 'add', 'entity.name.function.rhai');
  await check(definition, 'first', 'variable.parameter.rhai');
  await check(definition, 'second', 'variable.parameter.rhai');
  await check(definition, ',', 'punctuation.separator.parameter.rhai');
  await checkNot(definition, 'first', 'variable.parameter', { occurrence: 1 });
  const method = 'fn MyType.grow(by) { this.size += by; }';
  await check(method, 'MyType', 'entity.name.type.rhai');
  await check(method, 'grow', 'entity.name.function.rhai');
  await check(method, 'size', 'variable.other.property.rhai');
  await check('fn "Custom".go() {}', 'go', 'entity.name.function.rhai');
  await check('let y = double(2);', 'double', 'entity.name.function.rhai');
  await check('let y = double(2);', 'double', 'meta.function-call.rhai');
  await check('let y = list.push(2);', 'push', 'entity.name.function.method.rhai');
  await check('let y = list.len;', 'len', 'variable.other.property.rhai');
  await check('let y = x?.trim();', 'trim', 'entity.name.function.method.rhai');
  await check('let y = shift!(2);', 'shift', 'entity.name.function.rhai');
  await check('let t = type_of(x); let f = Fn("go"); print(1);', 'type_of', 'support.function.builtin.rhai');
  await check('let t = type_of(x); let f = Fn("go"); print(1);', 'Fn', 'support.function.builtin.rhai');
  await check('let t = type_of(x); let f = Fn("go"); print(1);', 'print', 'support.function.builtin.rhai');
  const closure = 'let f = |x, y| x + y; list.map(|item| item * 2); let g = || 1;';
  await check(closure, '|x', 'punctuation.definition.parameters.begin.rhai', { text: '|' });
  await check(closure, 'x', 'variable.parameter.rhai', { occurrence: 0 });
  await check(closure, 'y', 'variable.parameter.rhai', { occurrence: 0 });
  await check(closure, '| x +', 'punctuation.definition.parameters.end.rhai', { text: '|' });
  await check(closure, 'item', 'variable.parameter.rhai');
  await check(closure, '||', 'meta.function.closure.rhai', { text: '|' });
  await checkNot('let b = a || c;', '||', 'meta.function.closure');
  await checkNot('let b = a | c | d;', 'c', 'variable.parameter');
  await check('run: |args| {\n  args.x\n}', 'args', 'variable.parameter.rhai');
  await check('events.on("x",\n  |event| event)', 'event|', 'variable.parameter.rhai', { text: 'event' });
});

test('llmspell host modules', async () => {
  for (const module of ['agent', 'events', 'fs', 'http', 'json', 'llm', 'log', 'params', 'spell', 'state', 'tools', 'workflow', 'Agent', 'State']) {
    await check(`let v = ${module}.member;`, module, 'support.module.llmspell');
  }
  await check('let a = agent.create(#{ name: "a" });', 'create', 'support.function.llmspell');
  await check('let a = agent::create(#{ name: "a" });', 'agent', 'support.module.llmspell');
  await check('let a = agent::create(#{ name: "a" });', '::', 'punctuation.separator.namespace.rhai');
  await check('let a = agent::create(#{ name: "a" });', 'create', 'support.function.llmspell');
  await check('let t = params.topic;', 'topic', 'variable.other.property.rhai');
  await check('let n = spell?.name;', 'spell', 'support.module.llmspell');
  // A local variable or a field that merely shares a module's name is not the module.
  await checkNot('let agent = 1;', 'agent', 'support.module');
  await checkNot('let x = y.state.z;', 'state', 'support.module');
  await checkNot('let x = #{ tools: [] };', 'tools', 'support.module');
  await checkNot('let x = agents.len();', 'agents', 'support.module');
});
