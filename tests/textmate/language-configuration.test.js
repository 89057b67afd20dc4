// editors/vscode/language-configuration/rhai.json: valid JSON with the keys VS Code reads, and
// regexes that compile as the JavaScript regexes VS Code makes of them and do what they are for.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { rhaiLanguageConfigurationPath } = require('./textmate');

const configuration = () => JSON.parse(fs.readFileSync(rhaiLanguageConfigurationPath, 'utf8'));

test('the language configuration is JSON with the expected keys', () => {
  const config = configuration();
  for (const key of ['comments', 'brackets', 'autoClosingPairs', 'surroundingPairs', 'indentationRules', 'wordPattern', 'onEnterRules']) {
    assert.ok(Object.hasOwn(config, key), `missing ${key}`);
  }
  assert.deepEqual(config.comments, { lineComment: '//', blockComment: ['/*', '*/'] });
  assert.deepEqual(config.brackets, [['{', '}'], ['[', ']'], ['(', ')']]);
  const closers = Object.fromEntries(config.autoClosingPairs.map(({ open, close }) => [open, close]));
  assert.deepEqual(closers, { '{': '}', '[': ']', '(': ')', '"': '"', '`': '`', "'": "'", '/**': ' */' });
  for (const pair of config.surroundingPairs) {
    assert.ok(Array.isArray(pair) && pair.length === 2 && pair.every((side) => typeof side === 'string'));
  }
  assert.ok(config.surroundingPairs.some(([open]) => open === '`'));
});

test('the indentation rules indent after an open bracket and outdent on a closing one', () => {
  const { increaseIndentPattern, decreaseIndentPattern } = configuration().indentationRules;
  const increase = new RegExp(increaseIndentPattern);
  const decrease = new RegExp(decreaseIndentPattern);
  for (const line of ['fn f(x) {', 'let m = #{', 'let a = [', 'call(', '    if x > 1 {']) {
    assert.ok(increase.test(line), `should indent after ${JSON.stringify(line)}`);
  }
  for (const line of ['let x = 1;', 'f(#{ a: 1 });', '// a comment {', 'let s = "{";']) {
    assert.ok(!increase.test(line), `should not indent after ${JSON.stringify(line)}`);
  }
  for (const line of ['}', '    };', ']', ')']) {
    assert.ok(decrease.test(line), `should outdent ${JSON.stringify(line)}`);
  }
  assert.ok(!decrease.test('let x = 1;'));
});

test('the word pattern and enter rules compile as JavaScript regexes', () => {
  const config = configuration();
  const word = new RegExp(config.wordPattern, 'g');
  assert.deepEqual('let total_2 = 1_000.5 + x;'.match(word), ['let', 'total_2', '1_000.5', 'x']);
  for (const rule of config.onEnterRules) {
    new RegExp(rule.beforeText);
    if (rule.afterText) new RegExp(rule.afterText);
    assert.ok(['none', 'indent', 'outdent', 'indentOutdent'].includes(rule.action.indent));
  }
  const docLine = config.onEnterRules.find((rule) => new RegExp(rule.beforeText).test('  /// Adds.'));
  assert.equal(docLine.action.appendText, '/// ');
});
