// External scanner for the Rhai grammar: comments (block comments nest), raw strings, and the
// contents of strings (so that `/*` or `//` inside a string is not taken for a comment).
//
// Rhai block comments nest (`/* a /* b */ c */` is one comment), and a raw string
// `#"…"#` closes only on a quote followed by as many `#`s as it opened with;
// neither can be expressed as a regular token.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>

enum TokenType {
  COMMENT,
  DOC_COMMENT,
  RAW_STRING,
  STRING_CONTENT,
  TEMPLATE_CONTENT,
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
    if (lexer->lookahead == '/') {  // `/**/`
      advance(lexer);
      lexer->mark_end(lexer);
      lexer->result_symbol = COMMENT;
      return valid_symbols[COMMENT];
    }
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

// Inside "…": everything up to a quote or a backslash (escapes are lexed by the grammar).
static bool scan_string_content(TSLexer *lexer) {
  bool any = false;
  while (!lexer->eof(lexer) && lexer->lookahead != '"' && lexer->lookahead != '\\') {
    advance(lexer);
    any = true;
  }
  lexer->mark_end(lexer);
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

bool tree_sitter_rhai_external_scanner_scan(void *payload, TSLexer *lexer,
                                            const bool *valid_symbols) {
  (void)payload;
  if (!valid_symbols[ERROR_SENTINEL]) {
    if (valid_symbols[STRING_CONTENT]) return scan_string_content(lexer);
    if (valid_symbols[TEMPLATE_CONTENT]) return scan_template_content(lexer);
  }
  bool comment = valid_symbols[COMMENT] || valid_symbols[DOC_COMMENT];
  bool raw = valid_symbols[RAW_STRING];
  if (!comment && !raw) return false;
  while (is_space(lexer->lookahead)) lexer->advance(lexer, true);
  if (comment && lexer->lookahead == '/') return scan_comment(lexer, valid_symbols);
  if (raw && lexer->lookahead == '#') return scan_raw_string(lexer);
  return false;
}
