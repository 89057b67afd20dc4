// The `contributes` block editors/vscode/syntaxes/README.md tells the extension to use: its
// paths exist, and VS Code's token types (which drive bracket matching and auto-closing) count
// the code inside `${…}` as code and its strings and comments as such, with no `tokenTypes`.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { repositoryRoot, loadRhaiGrammar } = require('./textmate');

const extensionRoot = path.join(repositoryRoot, 'editors', 'vscode');

// The one ```json block of the README, parsed.
function documentedContributes() {
  const readme = fs.readFileSync(path.join(extensionRoot, 'syntaxes', 'README.md'), 'utf8');
  const blocks = [...readme.matchAll(/```json\n([\s\S]*?)```/g)];
  assert.equal(blocks.length, 1, 'the README has one json block');
  return JSON.parse(blocks[0][1]).contributes;
}

// vscode-textmate's standard token types, by number.
const tokenTypeNames = { 0: 'other', 1: 'comment', 2: 'string', 3: 'regex' };

// The token type name (`other`, `string`, …) at every character of one line. Without a theme,
// vscode-textmate merges neighbouring tokens of the same type, so types are read per character.
function tokenTypes(grammar, line) {
  const { tokens } = grammar.tokenizeLine2(line, null);
  const types = [];
  for (let index = 0; index < tokens.length; index += 2) {
    const end = index + 2 < tokens.length ? tokens[index + 2] : line.length;
    for (let column = tokens[index]; column < end; column++) {
      types[column] = tokenTypeNames[(tokens[index + 1] >>> 8) & 3];
    }
  }
  return types;
}

test('the documented contributes block names files that exist', () => {
  const contributes = documentedContributes();
  const [language] = contributes.languages;
  const [grammar] = contributes.grammars;
  assert.equal(language.id, 'rhai');
  assert.deepEqual(language.extensions, ['.rhai']);
  assert.ok(fs.existsSync(path.join(extensionRoot, language.configuration)), language.configuration);
  assert.equal(grammar.language, 'rhai');
  assert.equal(grammar.scopeName, 'source.rhai');
  assert.ok(fs.existsSync(path.join(extensionRoot, grammar.path)), grammar.path);
});

test('code inside ${…} is code to VS Code, and its strings and comments are strings and comments', async () => {
  assert.equal(documentedContributes().grammars[0].tokenTypes, undefined);
  const line = 'let s = `a ${ f("x", #{ k: 1 }) /* c */ } b`; // done';
  const types = tokenTypes(await loadRhaiGrammar(), line);
  const typeOf = (needle) => types[line.indexOf(needle)];
  assert.equal(typeOf('`a $'), 'string');
  assert.equal(typeOf('a $'), 'string');
  assert.equal(typeOf('f('), 'other');
  assert.equal(typeOf('#{'), 'other');
  assert.equal(typeOf('"x"'), 'string');
  assert.equal(typeOf(' c '), 'comment');
  assert.equal(typeOf(' b`'), 'string');
  assert.equal(typeOf('; //'), 'other');
  assert.equal(typeOf(' done'), 'comment');
});
