// Loads editors/vscode/syntaxes/rhai.tmLanguage.json with vscode-textmate and vscode-oniguruma,
// the tokenizer and regex engine VS Code itself uses, and tokenizes text with it.
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const vsctm = require('vscode-textmate');
const oniguruma = require('vscode-oniguruma');

const repositoryRoot = path.resolve(__dirname, '..', '..');
const rhaiGrammarPath = path.join(repositoryRoot, 'editors', 'vscode', 'syntaxes', 'rhai.tmLanguage.json');
const rhaiLanguageConfigurationPath = path.join(
  repositoryRoot,
  'editors',
  'vscode',
  'language-configuration',
  'rhai.json',
);

let onigLibPromise = null;

// The oniguruma WebAssembly module, loaded once per process.
function loadOnigLib() {
  if (onigLibPromise === null) {
    const wasmPath = path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm');
    const wasmBytes = fs.readFileSync(wasmPath).buffer;
    onigLibPromise = oniguruma.loadWASM(wasmBytes).then(() => ({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }));
  }
  return onigLibPromise;
}

// Loads the Rhai grammar from `grammarPath` (the committed one unless a test passes another)
// into a fresh registry, so that a broken copy never leaks into other tests.
async function loadRhaiGrammar(grammarPath = rhaiGrammarPath) {
  const grammarText = fs.readFileSync(grammarPath, 'utf8');
  const registry = new vsctm.Registry({
    onigLib: loadOnigLib(),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.rhai' ? vsctm.parseRawGrammar(grammarText, grammarPath) : null,
  });
  const grammar = await registry.loadGrammar('source.rhai');
  if (grammar === null) {
    throw new Error(`vscode-textmate did not load ${grammarPath}`);
  }
  return grammar;
}

// Tokenizes `source` line by line, the way an editor does, and returns every line's tokens
// (`{ line, startIndex, endIndex, text, scopes }`) and the rule stack after the last line.
function tokenizeSource(grammar, source) {
  const lines = source.split(/\r?\n/);
  let ruleStack = vsctm.INITIAL;
  const tokenizedLines = [];
  lines.forEach((lineText, lineIndex) => {
    const result = grammar.tokenizeLine(lineText, ruleStack);
    if (result.stoppedEarly) {
      throw new Error(`tokenizing stopped early on line ${lineIndex + 1}: ${lineText}`);
    }
    tokenizedLines.push(
      result.tokens.map((token) => ({
        line: lineIndex,
        startIndex: token.startIndex,
        endIndex: Math.min(token.endIndex, lineText.length),
        text: lineText.slice(token.startIndex, token.endIndex),
        scopes: token.scopes,
      })),
    );
    ruleStack = result.ruleStack;
  });
  return { lines: tokenizedLines, finalRuleStack: ruleStack };
}

// The scopes still open after a rule stack: those of an empty line tokenized from it.
function openScopes(grammar, ruleStack) {
  return grammar.tokenizeLine('', ruleStack).tokens[0].scopes;
}

// The token that covers the first character of the `occurrence`-th (from 0) `needle` in `source`.
function tokenAt(grammar, source, needle, occurrence = 0) {
  let offset = -1;
  for (let seen = 0; seen <= occurrence; seen++) {
    offset = source.indexOf(needle, offset + 1);
    if (offset < 0) throw new Error(`${JSON.stringify(needle)} occurs fewer than ${occurrence + 1} times`);
  }
  const before = source.slice(0, offset).split(/\r?\n/);
  const lineIndex = before.length - 1;
  const column = before[lineIndex].length;
  const { lines } = tokenizeSource(grammar, source);
  const token = lines[lineIndex].find((t) => t.startIndex <= column && column < t.endIndex);
  if (!token) throw new Error(`no token at ${lineIndex + 1}:${column + 1}`);
  return token;
}

module.exports = {
  repositoryRoot,
  rhaiGrammarPath,
  rhaiLanguageConfigurationPath,
  loadOnigLib,
  loadRhaiGrammar,
  tokenizeSource,
  openScopes,
  tokenAt,
  oniguruma,
};
