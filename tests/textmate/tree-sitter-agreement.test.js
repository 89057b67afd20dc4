// The TextMate grammar agrees with llmspell's tree-sitter parser (`llmspell parse`, the one the
// language server uses) on every Rhai file we have: where comments, documentation comments,
// strings, the code inside `${…}`, numbers and parameters are. Both directions are checked: what
// the parser finds must be scoped so, and what is scoped so must be what the parser finds.
//
// Needs the llmspell binary: $LLMSPELL_BIN, else target/debug/llmspell (`cargo build --bin
// llmspell`; scripts/test.sh builds it before running this suite).
'use strict';

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { repositoryRoot, loadRhaiGrammar, tokenizeSource } = require('./textmate');

const llmspellBinary = process.env.LLMSPELL_BIN || path.join(repositoryRoot, 'target', 'debug', 'llmspell');

// The named nodes of `llmspell parse FILE`'s outline (`kind L:C-L:C "text"`, 1-based lines,
// columns in characters, end exclusive) as `{ kind, depth, start: {line, column}, end }` with
// 0-based lines and UTF-16 columns; null when the file has a syntax error.
function parseWithLlmspell(file, sourceLines) {
  let outline;
  try {
    outline = execFileSync(llmspellBinary, ['parse', '--engine', 'rhai', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    if (error.status === 1) return null;
    throw error;
  }
  const utf16Column = (line, characterColumn) =>
    Array.from(sourceLines[line] ?? '').slice(0, characterColumn).join('').length;
  const nodes = [];
  for (const row of outline.split('\n')) {
    const match = /^( *)(\S+) (\d+):(\d+)-(\d+):(\d+)/.exec(row);
    if (!match) continue;
    const [, indent, kind, startLine, startColumn, endLine, endColumn] = match;
    const start = { line: +startLine - 1, column: utf16Column(+startLine - 1, +startColumn - 1) };
    const end = { line: +endLine - 1, column: utf16Column(+endLine - 1, +endColumn - 1) };
    nodes.push({ kind, depth: indent.length / 2, start, end });
  }
  return nodes;
}

const before = (a, b) => a.line < b.line || (a.line === b.line && a.column <= b.column);
const within = (token, node) =>
  before(node.start, { line: token.line, column: token.startIndex }) &&
  before({ line: token.line, column: token.endIndex }, node.end);
const sameRange = (token, node) =>
  node.start.line === token.line && node.end.line === token.line &&
  node.start.column === token.startIndex && node.end.column === token.endIndex;

// The direct children of `nodes[index]` in the outline.
function children(nodes, index) {
  const result = [];
  for (let next = index + 1; next < nodes.length && nodes[next].depth > nodes[index].depth; next++) {
    if (nodes[next].depth === nodes[index].depth + 1) result.push(nodes[next]);
  }
  return result;
}

// Every disagreement between the tokens of `source` and the parser's nodes for it, and how many
// nodes were compared.
function compare(grammar, name, source, nodes) {
  const tokens = tokenizeSource(grammar, source).lines.flat().filter((token) => token.text.trim() !== '');
  const found = [];
  const report = (token, message) =>
    found.push(`${name}:${token.line + 1}:${token.startIndex + 1} ${JSON.stringify(token.text)} ${message} (${token.scopes.slice(1).join(' ')})`);
  const has = (token, prefix) => token.scopes.some((scope) => scope.startsWith(prefix));
  const ofKind = (...kinds) => nodes.filter((node) => kinds.includes(node.kind));

  const comments = ofKind('comment', 'doc_comment');
  const strings = ofKind('string', 'raw_string', 'character', 'template_string');
  const interpolations = ofKind('interpolation');
  const numbers = ofKind('integer', 'float');
  const closureParameters = ofKind('closure_parameters');
  const parameters = [];
  nodes.forEach((node, index) => {
    if (node.kind === 'parameters' || node.kind === 'closure_parameters') {
      parameters.push(...children(nodes, index).filter((child) => child.kind === 'identifier'));
    }
  });
  // The code of an interpolation, without its `${` and `}`.
  const embedded = interpolations.map((node) => ({
    ...node,
    start: { line: node.start.line, column: node.start.column + 2 },
    end: { line: node.end.line, column: node.end.column - 1 },
  }));

  for (const token of tokens) {
    const inComment = comments.find((node) => within(token, node));
    const inEmbedded = embedded.some((node) => within(token, node));
    const inString = strings.find((node) => within(token, node));
    if (inComment) {
      if (!has(token, 'comment.')) report(token, `is in a ${inComment.kind} but not scoped comment`);
      const documentation = token.scopes.some((scope) => scope.includes('.documentation'));
      if (documentation !== (inComment.kind === 'doc_comment')) {
        report(token, `is in a ${inComment.kind} but ${documentation ? '' : 'not '}scoped documentation`);
      }
    } else if (has(token, 'comment.')) {
      report(token, 'is scoped comment outside any comment');
    }
    if (inEmbedded) {
      if (!token.scopes.includes('meta.embedded.line.rhai')) report(token, 'is in ${…} but not scoped embedded');
    } else if (inString && !inComment) {
      if (!has(token, 'string.')) report(token, `is in a ${inString.kind} but not scoped string`);
    }
    if (!inString && has(token, 'string.')) report(token, 'is scoped string outside any string');
    if (has(token, 'constant.numeric.') && !numbers.some((node) => sameRange(token, node))) {
      report(token, 'is scoped numeric but is not a number');
    }
    if (has(token, 'variable.parameter.') && !parameters.some((node) => sameRange(token, node))) {
      report(token, 'is scoped parameter but is not one');
    }
    if (token.scopes.includes('meta.function.closure.rhai') && !closureParameters.some((node) => within(token, node))) {
      report(token, 'is scoped closure parameters but is not in any');
    }
  }
  for (const node of closureParameters) {
    const first = tokens.find((token) => token.line === node.start.line && token.startIndex === node.start.column);
    if (!first || !first.scopes.includes('meta.function.closure.rhai')) {
      found.push(`${name}:${node.start.line + 1}:${node.start.column + 1} closure parameters are not scoped meta.function.closure`);
    }
  }
  const tokenOver = (node) => tokens.find((token) => sameRange(token, node));
  for (const node of numbers) {
    const token = tokenOver(node);
    const scope = node.kind === 'float' ? 'constant.numeric.float.rhai' : 'constant.numeric.integer.';
    if (!token || !token.scopes.some((s) => s.startsWith(scope))) {
      found.push(`${name}:${node.start.line + 1}:${node.start.column + 1} ${node.kind} is not one ${scope} token`);
    }
  }
  for (const node of parameters) {
    const token = tokenOver(node);
    if (!token || !has(token, 'variable.parameter.')) {
      found.push(`${name}:${node.start.line + 1}:${node.start.column + 1} parameter is not scoped variable.parameter`);
    }
  }
  const compared =
    comments.length + strings.length + interpolations.length + numbers.length + parameters.length + closureParameters.length;
  return { found, compared };
}

const disagreements = (grammar, name, source, nodes) => compare(grammar, name, source, nodes).found;

function rhaiFilesUnder(directory) {
  return fs.readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const entryPath = path.join(directory, entry.name);
    if (entry.isDirectory()) return rhaiFilesUnder(entryPath);
    return entry.name.endsWith('.rhai') ? [entryPath] : [];
  });
}

// Checks every file; returns the disagreements, how many files the parser parsed cleanly and
// how many of their nodes were compared.
function checkFiles(grammar, files, label = (file) => path.relative(repositoryRoot, file)) {
  const found = [];
  let compared = 0;
  let nodesCompared = 0;
  for (const file of files) {
    const source = fs.readFileSync(file, 'utf8');
    const nodes = parseWithLlmspell(file, source.split(/\r?\n/));
    if (nodes === null) continue;
    compared++;
    const result = compare(grammar, label(file), source, nodes);
    found.push(...result.found);
    nodesCompared += result.compared;
  }
  return { found, compared, nodesCompared };
}

test('llmspell is built', () => {
  assert.ok(fs.existsSync(llmspellBinary), `${llmspellBinary} is missing: run cargo build --bin llmspell`);
});

test('the grammar agrees with the parser on every spell and conformance script', async () => {
  const grammar = await loadRhaiGrammar();
  const spells = fs
    .readdirSync(path.join(repositoryRoot, 'spells'))
    .filter((name) => name.endsWith('.rhai'))
    .map((name) => path.join(repositoryRoot, 'spells', name));
  const files = [...spells, ...rhaiFilesUnder(path.join(repositoryRoot, 'tests', 'conformance'))];
  const { found, compared, nodesCompared } = checkFiles(grammar, files);
  assert.equal(compared, files.length, 'every spell and conformance script parses without errors');
  assert.ok(nodesCompared > 1000, `only ${nodesCompared} nodes compared`);
  assert.deepEqual(found, []);
});

test('the grammar agrees with the parser on every rhai doc example it parses', async () => {
  const grammar = await loadRhaiGrammar();
  const text = fs.readFileSync(
    path.join(repositoryRoot, 'grammars', 'tree-sitter-rhai', 'test', 'rhai-doc-examples', 'examples.txt'),
    'utf8',
  );
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'rhai-doc-examples-'));
  try {
    const files = [];
    const names = new Map();
    let current = null;
    for (const line of text.split('\n')) {
      if (line.startsWith('=== ')) {
        current = path.join(directory, `${String(files.length).padStart(3, '0')}.rhai`);
        files.push(current);
        names.set(current, `rhai doc example ${line.slice(4)}`);
        fs.writeFileSync(current, '');
      } else if (current) {
        fs.appendFileSync(current, `${line}\n`);
      }
    }
    assert.equal(files.length, 244);
    const { found, compared, nodesCompared } = checkFiles(grammar, files, (file) => names.get(file));
    assert.ok(nodesCompared > 1000, `only ${nodesCompared} nodes compared`);
    // The 235 examples the rhai engine compiles parse cleanly (tests/rhai_doc_examples.rs).
    assert.ok(compared >= 235, `only ${compared} examples parsed without errors`);
    assert.deepEqual(found, []);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});

test('a disagreement is reported', async () => {
  const grammar = await loadRhaiGrammar();
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'rhai-agreement-'));
  try {
    const file = path.join(directory, 'sample.rhai');
    const source = 'let f = |x| x; // note\nlet n = 5.;\n';
    fs.writeFileSync(file, source);
    const nodes = parseWithLlmspell(file, source.split('\n'));
    assert.deepEqual(disagreements(grammar, 'sample.rhai', source, nodes), []);
    // The same nodes against a source whose comment moved: both directions complain.
    const shifted = 'let f = |x| x;  // note\nlet n = 5.;\n';
    const found = disagreements(grammar, 'sample.rhai', shifted, nodes);
    assert.ok(found.some((line) => line.includes('is scoped comment outside any comment')), found.join('\n'));
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
});
