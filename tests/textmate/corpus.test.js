// Tokenizes every Rhai file the project has (spells, conformance scripts) and every Rhai example
// of the rhai crate's documentation: no file may throw, and every file must end with only the
// root scope open, so that no begin/end rule runs away past the end of what it should cover.
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { repositoryRoot, loadRhaiGrammar, tokenizeSource, openScopes } = require('./textmate');

function rhaiFilesUnder(directory) {
  const found = [];
  for (const entry of fs.readdirSync(directory, { withFileTypes: true })) {
    const entryPath = path.join(directory, entry.name);
    if (entry.isDirectory()) found.push(...rhaiFilesUnder(entryPath));
    else if (entry.name.endsWith('.rhai')) found.push(entryPath);
  }
  return found.sort();
}

// The ```rhai blocks of the rhai crate's doc comments, as `=== name` sections.
function rhaiDocExamples() {
  const text = fs.readFileSync(
    path.join(repositoryRoot, 'grammars', 'tree-sitter-rhai', 'test', 'rhai-doc-examples', 'examples.txt'),
    'utf8',
  );
  const examples = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('=== ')) examples.push({ name: line.slice(4), lines: [] });
    else if (examples.length > 0) examples[examples.length - 1].lines.push(line);
  }
  return examples.map(({ name, lines }) => ({ name, source: lines.join('\n') }));
}

// Tokenizes each source; returns the names of those that threw, marked a token invalid (an
// unknown escape) or left a scope open.
function problems(grammar, sources) {
  const found = [];
  for (const { name, source } of sources) {
    try {
      const { lines, finalRuleStack } = tokenizeSource(grammar, source);
      for (const token of lines.flat()) {
        if (token.scopes.some((scope) => scope.startsWith('invalid.'))) {
          found.push(`${name}:${token.line + 1}:${token.startIndex + 1}: invalid ${JSON.stringify(token.text)}`);
        }
      }
      if (finalRuleStack.depth !== 1) {
        found.push(`${name}: ends inside ${openScopes(grammar, finalRuleStack).join(' ')}`);
      }
    } catch (error) {
      found.push(`${name}: ${error.message}`);
    }
  }
  return found;
}

const readSources = (files) =>
  files.map((file) => ({ name: path.relative(repositoryRoot, file), source: fs.readFileSync(file, 'utf8') }));

test('every spells/*.rhai tokenizes and ends in the root scope', async () => {
  const grammar = await loadRhaiGrammar();
  const files = fs
    .readdirSync(path.join(repositoryRoot, 'spells'))
    .filter((name) => name.endsWith('.rhai'))
    .map((name) => path.join(repositoryRoot, 'spells', name));
  assert.ok(files.length >= 8, `found only ${files.length} spells`);
  assert.deepEqual(problems(grammar, readSources(files)), []);
});

test('every tests/conformance/**/*.rhai tokenizes and ends in the root scope', async () => {
  const grammar = await loadRhaiGrammar();
  const files = rhaiFilesUnder(path.join(repositoryRoot, 'tests', 'conformance'));
  assert.ok(files.length >= 50, `found only ${files.length} conformance scripts`);
  assert.deepEqual(problems(grammar, readSources(files)), []);
});

test('every rhai doc example tokenizes and ends in the root scope', async () => {
  const grammar = await loadRhaiGrammar();
  const examples = rhaiDocExamples();
  assert.equal(examples.length, 244, 'rhai 1.27.0 documents 244 ```rhai blocks');
  assert.deepEqual(problems(grammar, examples), []);
});

test('an unclosed construct is reported as ending outside the root scope', async () => {
  const grammar = await loadRhaiGrammar();
  const found = problems(grammar, [
    { name: 'unclosed block comment', source: 'let x = 1; /* never closed\nlet y = 2;' },
    { name: 'unclosed raw string', source: 'let x = #"never closed\n' },
    { name: 'closed', source: 'let x = `a ${1 + 1} b`;' },
    { name: 'unknown escape', source: 'let x = "a\\qb";' },
  ]);
  assert.deepEqual(found, [
    'unclosed block comment: ends inside source.rhai comment.block.rhai',
    'unclosed raw string: ends inside source.rhai string.quoted.other.raw.rhai',
    'unknown escape:1:11: invalid "\\\\q"',
  ]);
});
