// The Rhai TextMate grammar is well formed: every regex compiles in oniguruma, every include
// resolves, and vscode-textmate loads it and tokenizes text that exercises every rule.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const {
  rhaiGrammarPath,
  loadOnigLib,
  loadRhaiGrammar,
  tokenizeSource,
  oniguruma,
} = require('./textmate');

// Every rule object in the grammar, with a readable path to it.
function allRules(grammar) {
  const rules = [];
  const visit = (rule, where) => {
    if (rule === null || typeof rule !== 'object') return;
    rules.push({ rule, where });
    for (const [index, child] of (rule.patterns || []).entries()) visit(child, `${where}.patterns[${index}]`);
    for (const key of ['captures', 'beginCaptures', 'endCaptures']) {
      for (const [group, capture] of Object.entries(rule[key] || {})) visit(capture, `${where}.${key}[${group}]`);
    }
  };
  visit({ patterns: grammar.patterns }, 'patterns');
  for (const [name, rule] of Object.entries(grammar.repository)) visit(rule, `repository.${name}`);
  return rules;
}

test('the grammar file is JSON naming the source.rhai scope', () => {
  const grammar = JSON.parse(fs.readFileSync(rhaiGrammarPath, 'utf8'));
  assert.equal(grammar.scopeName, 'source.rhai');
  assert.deepEqual(grammar.fileTypes, ['rhai']);
});

test('every regex of the grammar compiles in oniguruma', async () => {
  await loadOnigLib();
  const grammar = JSON.parse(fs.readFileSync(rhaiGrammarPath, 'utf8'));
  const failures = [];
  let compiled = 0;
  for (const { rule, where } of allRules(grammar)) {
    for (const key of ['match', 'begin', 'end', 'while']) {
      if (typeof rule[key] !== 'string') continue;
      // vscode-textmate replaces an end rule's back-references by the begin captures first.
      const source = key === 'end' ? rule[key].replace(/\\(\d)/g, '#') : rule[key];
      try {
        new oniguruma.OnigScanner([source]).dispose();
        compiled++;
      } catch (error) {
        failures.push(`${where}.${key} ${JSON.stringify(rule[key])}: ${error.message}`);
      }
    }
  }
  assert.deepEqual(failures, []);
  assert.ok(compiled > 40, `only ${compiled} regexes found`);
});

test('every include names a rule of the repository', () => {
  const grammar = JSON.parse(fs.readFileSync(rhaiGrammarPath, 'utf8'));
  const unresolved = [];
  for (const { rule, where } of allRules(grammar)) {
    if (typeof rule.include !== 'string') continue;
    const include = rule.include;
    const resolves =
      include === '$self' || include === '$base' || include === 'source.rhai' ||
      (include.startsWith('#') && Object.hasOwn(grammar.repository, include.slice(1)));
    if (!resolves) unresolved.push(`${where}: ${include}`);
  }
  assert.deepEqual(unresolved, []);
});

test('vscode-textmate loads the grammar and tokenizes every construct without an error', async () => {
  const grammar = await loadRhaiGrammar();
  const source = [
    '#!/usr/bin/env llmspell',
    '//! A script.',
    '/// Adds.',
    'private fn add(a, b) { a + b }',
    '/* outer /* inner */ still */ /** doc */',
    'let m = #{ a: 1, "b": 0x_ff, c: 1.5e3, d: 5., e: \'x\', f: #"raw"#, g: `t ${m.a} ${#{k: 1}.k}` };',
    'const LIMIT = 10;',
    'let f = |x, y| x ?? y; let g = || 1;',
    'for (x, i) in 0..LIMIT { if x in [1, 2] { continue; } else { break; } }',
    'switch m.a { 1 | 2 => print(m?.a), 3..=4 => m?["a"], _ => global::LIMIT }',
    'do { x -= 1; } until x <= 0;',
    'try { throw "e\\n" } catch (err) { debug(type_of(err)); }',
    'import "mod" as mod; export const Y = mod::f(this);',
    'agent.create(#{}); state.new(); params.topic; llm.complete("hi");',
  ].join('\n');
  const { lines, finalRuleStack } = tokenizeSource(grammar, source);
  assert.equal(lines.length, 14);
  assert.equal(finalRuleStack.depth, 1);
  assert.ok(lines.every((tokens) => tokens.length > 0));
});

test('a grammar with a broken regex fails to tokenize, so the checks above can fail', async () => {
  const broken = JSON.parse(fs.readFileSync(rhaiGrammarPath, 'utf8'));
  broken.repository['line-comment'].match = '(//.*$';
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'rhai-grammar-'));
  const brokenPath = path.join(directory, 'rhai.tmLanguage.json');
  fs.writeFileSync(brokenPath, JSON.stringify(broken));
  try {
    const grammar = await loadRhaiGrammar(brokenPath);
    assert.throws(() => tokenizeSource(grammar, 'let x = 1; // comment'));
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
