// External scanner for the Rhai grammar: comments (block comments nest), raw strings, the
// contents of strings (so that `/*` or `//` inside a string is not taken for a comment), and
// floats written with nothing after the dot (`5.`).
//
// Rhai block comments nest (`/* a /* b */ c */` is one comment), a raw string `#"…"#` closes
// only on a quote followed by as many `#`s as it opened with, and `5.` is a float only when
// what follows the dot cannot continue a number, a range or a property name; none of these can
// be expressed as a regular token.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>

enum TokenType {
  COMMENT,
  DOC_COMMENT,
  RAW_STRING,
  STRING_CONTENT,
  TEMPLATE_CONTENT,
  FLOAT,
  ERROR_SENTINEL,
};

void *tree_sitter_rhai_external_scanner_create(void) { return NULL; }

void tree_sitter_rhai_external_scanner_destroy(void *payload) { (void)payload; }

unsigned tree_sitter_rhai_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}

void tree_sitter_rhai_external_scanner_deserialize(void *payload, const char *buffer,
                                                   unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }

static inline bool is_space(int32_t c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// After the opening `/*`: consume up to and including the matching `*/`.
static bool finish_block_comment(TSLexer *lexer) {
  unsigned depth = 1;
  while (!lexer->eof(lexer)) {
    int32_t c = lexer->lookahead;
    advance(lexer);
    if (c == '*' && lexer->lookahead == '/') {
      advance(lexer);
      if (--depth == 0) {
        lexer->mark_end(lexer);
        return true;
      }
    } else if (c == '/' && lexer->lookahead == '*') {
      advance(lexer);
      depth++;
    }
  }
  return false;
}

// `//…`, `///…` and `//!…` (doc, but not `////…`), `/*…*/` and `/**…*/` (doc, but not `/***…`).
// As in the rhai tokenizer (with its `metadata` feature, which llmspell uses), the `*/` that
// closes a doc comment comes after the `/**`: `/**/` opens a doc comment that the next `*/` ends.
static bool scan_comment(TSLexer *lexer, const bool *valid_symbols) {
  advance(lexer);  // '/'
  bool doc = false;
  if (lexer->lookahead == '/') {
    advance(lexer);
    if (lexer->lookahead == '!') {
      doc = true;
    } else if (lexer->lookahead == '/') {
      advance(lexer);
      doc = lexer->lookahead != '/';
    }
    while (!lexer->eof(lexer) && lexer->lookahead != '\n') advance(lexer);
    lexer->mark_end(lexer);
    lexer->result_symbol = doc ? DOC_COMMENT : COMMENT;
    return valid_symbols[lexer->result_symbol];
  }
  if (lexer->lookahead != '*') return false;
  advance(lexer);
  if (lexer->lookahead == '*') {
    advance(lexer);
    doc = lexer->lookahead != '*';
  }
  if (!finish_block_comment(lexer)) return false;
  lexer->result_symbol = doc ? DOC_COMMENT : COMMENT;
  return valid_symbols[lexer->result_symbol];
}

static bool scan_raw_string(TSLexer *lexer) {
  unsigned hashes = 0;
  while (lexer->lookahead == '#') {
    advance(lexer);
    hashes++;
  }
  if (lexer->lookahead != '"') return false;
  advance(lexer);
  while (!lexer->eof(lexer)) {
    int32_t c = lexer->lookahead;
    advance(lexer);
    if (c == '"') {
      unsigned closing = 0;
      while (closing < hashes && lexer->lookahead == '#') {
        advance(lexer);
        closing++;
      }
      if (closing == hashes) {
        lexer->mark_end(lexer);
        lexer->result_symbol = RAW_STRING;
        return true;
      }
    }
  }
  return false;
}

// Inside "…": everything up to the closing quote, a backslash (escapes, and the line
// continuation `\` + newline, are lexed by the grammar) or the end of the line (rhai ends an
// unterminated string there). A doubled quote `""` is a quote, as in rhai.
static bool scan_string_content(TSLexer *lexer) {
  bool any = false;
  for (;;) {
    lexer->mark_end(lexer);
    if (lexer->eof(lexer)) break;
    int32_t c = lexer->lookahead;
    if (c == '\\' || c == '\n' || c == '\r') break;
    if (c == '"') {
      advance(lexer);
      if (lexer->lookahead != '"') break;
    }
    advance(lexer);
    any = true;
  }
  lexer->result_symbol = STRING_CONTENT;
  return any;
}

// Inside `…`: everything up to the closing backtick or a `${`; a doubled backtick is content.
static bool scan_template_content(TSLexer *lexer) {
  bool any = false;
  for (;;) {
    lexer->mark_end(lexer);
    if (lexer->eof(lexer)) break;
    int32_t c = lexer->lookahead;
    if (c == '`') {
      advance(lexer);
      if (lexer->lookahead != '`') break;
      advance(lexer);
    } else if (c == '$') {
      advance(lexer);
      if (lexer->lookahead == '{') break;
    } else {
      advance(lexer);
    }
    any = true;
  }
  lexer->result_symbol = TEMPLATE_CONTENT;
  return any;
}

static inline bool is_digit(int32_t c) { return c >= '0' && c <= '9'; }

// Letters, and any non-ASCII character (the rhai tokenizer asks `char::is_alphabetic`; a
// non-ASCII character after `5.` is almost always a letter, and reading it as one keeps `5.`
// from being a float, which is the safe side).
static inline bool is_letter_like(int32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

// `5.` and `1_000.`: digits, then a dot followed by something that is not a digit, `_`, `.`, a
// letter or the end of the input (the rhai 1.27 tokenizer reads those as `1.5`, a range
// `1..`, or a property or method `1.abs()`). Everything else is left to the grammar's own
// float and integer tokens: returning false makes tree-sitter lex again from the start.
static bool scan_float_with_trailing_dot(TSLexer *lexer) {
  int32_t first = lexer->lookahead;
  advance(lexer);
  if (first == '0' && (lexer->lookahead == 'x' || lexer->lookahead == 'X' ||
                       lexer->lookahead == 'o' || lexer->lookahead == 'O' ||
                       lexer->lookahead == 'b' || lexer->lookahead == 'B')) {
    return false;
  }
  while (is_digit(lexer->lookahead) || lexer->lookahead == '_') advance(lexer);
  if (lexer->lookahead != '.') return false;
  advance(lexer);
  int32_t next = lexer->lookahead;
  if (lexer->eof(lexer) || is_digit(next) || next == '_' || next == '.' || is_letter_like(next)) {
    return false;
  }
  lexer->mark_end(lexer);
  lexer->result_symbol = FLOAT;
  return true;
}

bool tree_sitter_rhai_external_scanner_scan(void *payload, TSLexer *lexer,
                                            const bool *valid_symbols) {
  (void)payload;
  if (!valid_symbols[ERROR_SENTINEL]) {
    if (valid_symbols[STRING_CONTENT]) return scan_string_content(lexer);
    if (valid_symbols[TEMPLATE_CONTENT]) return scan_template_content(lexer);
  }
  bool comment = valid_symbols[COMMENT] || valid_symbols[DOC_COMMENT];
  bool raw = valid_symbols[RAW_STRING];
  bool number = valid_symbols[FLOAT];
  if (!comment && !raw && !number) return false;
  while (is_space(lexer->lookahead)) lexer->advance(lexer, true);
  if (comment && lexer->lookahead == '/') return scan_comment(lexer, valid_symbols);
  if (raw && lexer->lookahead == '#') return scan_raw_string(lexer);
  if (number && is_digit(lexer->lookahead)) return scan_float_with_trailing_dot(lexer);
  return false;
}
