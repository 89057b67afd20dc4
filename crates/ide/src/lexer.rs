//! A small, forgiving tokenizer for the three spell languages, used to read what surrounds the
//! cursor while the tree is broken.
//!
//! Tree-sitter's error recovery decides on its own where an unclosed `{` ends, so the features
//! that look at "where is the cursor" (completion, hover, signature help) read tokens instead:
//! brackets, separators, identifiers, strings and comments. The lexer never fails; anything it
//! does not recognise becomes a one-character punctuation token.

use llmspell_syntax::{Language, TextRange};

/// An opening or closing bracket's shape.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Bracket {
    Paren,
    Brace,
    Square,
    /// Rhai's `#{`, a map literal.
    Map,
    /// `${` inside a template string (JavaScript, Rhai).
    Interpolation,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum TokenKind {
    Identifier,
    /// A number or a regular-expression literal: a value whose text does not matter here.
    Literal,
    /// A string (or one piece of a template string between interpolations). `content` is the
    /// text between the quotes; for an unterminated string it runs to the end of the token.
    String {
        content: TextRange,
        terminated: bool,
    },
    /// A comment. `open_end` is true for a line comment (the cursor at its end is inside it)
    /// and for an unterminated block comment.
    Comment {
        open_end: bool,
    },
    Open(Bracket),
    /// `)`, `]` or `}`; which opening bracket it closes is decided by the reader.
    Close(Bracket),
    /// Operators and separators: `.`, `:`, `::`, `,`, `=`, `==`, `=>`, …
    Punct,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Token {
    pub kind: TokenKind,
    pub range: TextRange,
}

impl Token {
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.range.start..self.range.end).unwrap_or("")
    }

    pub fn is_comment(&self) -> bool {
        matches!(self.kind, TokenKind::Comment { .. })
    }

    /// The string's content, when the token is a string.
    pub fn string_content(&self) -> Option<TextRange> {
        match self.kind {
            TokenKind::String { content, .. } => Some(content),
            _ => None,
        }
    }
}

/// Tokens of `text` from byte `start` on (which must not be inside a string or comment).
pub(crate) struct Lexer<'a> {
    language: Language,
    text: &'a str,
    position: usize,
    /// For every open `${`: how many `{` opened inside it are still open.
    interpolations: Vec<u32>,
    /// Set when a `}` closed an interpolation: the next token continues the template string.
    resume_template: bool,
    /// Set when a template string piece ended at `${`: the next token is that `${`.
    pending_interpolation: bool,
    /// The previous significant token, to tell a JavaScript regex from a division.
    previous: Option<Token>,
}

impl<'a> Lexer<'a> {
    pub fn new(language: Language, text: &'a str, start: usize) -> Lexer<'a> {
        let mut position = start.min(text.len());
        while position > 0 && !text.is_char_boundary(position) {
            position -= 1;
        }
        Lexer {
            language,
            text,
            position,
            interpolations: Vec::new(),
            resume_template: false,
            pending_interpolation: false,
            previous: None,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    fn byte_at(&self, offset: usize) -> Option<u8> {
        self.bytes().get(offset).copied()
    }

    fn rest(&self) -> &'a str {
        self.text.get(self.position..).unwrap_or("")
    }

    fn token(&mut self, kind: TokenKind, start: usize) -> Token {
        let token = Token {
            kind,
            range: TextRange::new(start, self.position),
        };
        if !token.is_comment() {
            self.previous = Some(token);
        }
        token
    }

    /// The offset of the next line break at or after `from` (or the end of the text).
    fn line_end(&self, from: usize) -> usize {
        self.bytes()
            .get(from..)
            .and_then(|rest| rest.iter().position(|&byte| byte == b'\n'))
            .map_or(self.text.len(), |index| from + index)
    }

    fn next_token(&mut self) -> Option<Token> {
        if self.resume_template {
            self.resume_template = false;
            let start = self.position;
            return Some(self.template_rest(start, start));
        }
        // Skip whitespace.
        while let Some(byte) = self.byte_at(self.position) {
            if byte.is_ascii_whitespace() {
                self.position += 1;
            } else {
                break;
            }
        }
        let start = self.position;
        let rest = self.rest();
        let first = rest.chars().next()?;
        if start == 0 && rest.starts_with("#!") {
            self.position = self.line_end(start);
            return Some(self.token(TokenKind::Comment { open_end: true }, start));
        }
        if let Some(token) = self.comment(start, rest) {
            return Some(token);
        }
        if let Some(token) = self.string(start, rest) {
            return Some(token);
        }
        if first.is_ascii_digit()
            || (first == '.' && rest.as_bytes().get(1).is_some_and(u8::is_ascii_digit))
        {
            self.number();
            return Some(self.token(TokenKind::Literal, start));
        }
        if is_identifier_start(first, self.language) {
            self.position += rest
                .char_indices()
                .find(|&(_, character)| !is_identifier_continue(character, self.language))
                .map_or(rest.len(), |(index, _)| index);
            return Some(self.token(TokenKind::Identifier, start));
        }
        if self.language == Language::Rhai && rest.starts_with("#{") {
            self.position += 2;
            return Some(self.token(TokenKind::Open(Bracket::Map), start));
        }
        match first {
            '(' | '[' | '{' => {
                self.position += 1;
                let bracket = match first {
                    '(' => Bracket::Paren,
                    '[' => Bracket::Square,
                    _ => Bracket::Brace,
                };
                if first == '{'
                    && let Some(depth) = self.interpolations.last_mut()
                {
                    *depth += 1;
                }
                return Some(self.token(TokenKind::Open(bracket), start));
            }
            ')' | ']' | '}' => {
                self.position += 1;
                let bracket = match first {
                    ')' => Bracket::Paren,
                    ']' => Bracket::Square,
                    _ => Bracket::Brace,
                };
                if first == '}'
                    && let Some(depth) = self.interpolations.last_mut()
                {
                    if *depth == 0 {
                        self.interpolations.pop();
                        self.resume_template = true;
                        return Some(self.token(TokenKind::Close(Bracket::Interpolation), start));
                    }
                    *depth -= 1;
                }
                return Some(self.token(TokenKind::Close(bracket), start));
            }
            _ => {}
        }
        if self.language == Language::JavaScript && first == '/' && self.regex_allowed() {
            self.regex();
            return Some(self.token(TokenKind::Literal, start));
        }
        const OPERATORS: [&str; 20] = [
            "...", "===", "!==", "::", "..", "?.", "=>", "==", "!=", "~=", "<=", ">=", "&&", "||",
            "??", "->", "+=", "-=", "*=", "/=",
        ];
        let length = OPERATORS
            .iter()
            .find(|operator| rest.starts_with(**operator))
            .map_or(first.len_utf8(), |operator| operator.len());
        self.position += length;
        Some(self.token(TokenKind::Punct, start))
    }

    fn comment(&mut self, start: usize, rest: &str) -> Option<Token> {
        match self.language {
            Language::Lua => {
                let after = rest.strip_prefix("--")?;
                if let Some(equals) = long_bracket_level(after) {
                    let body_start = start + 2 + equals + 2;
                    let (end, terminated) = self.long_bracket_end(body_start, equals);
                    self.position = end;
                    return Some(self.token(
                        TokenKind::Comment {
                            open_end: !terminated,
                        },
                        start,
                    ));
                }
                self.position = self.line_end(start);
                Some(self.token(TokenKind::Comment { open_end: true }, start))
            }
            Language::JavaScript | Language::Rhai => {
                if rest.starts_with("//") {
                    self.position = self.line_end(start);
                    return Some(self.token(TokenKind::Comment { open_end: true }, start));
                }
                if !rest.starts_with("/*") {
                    return None;
                }
                // Rhai block comments nest; JavaScript ones do not.
                let nests = self.language == Language::Rhai;
                let mut depth = 0usize;
                let mut index = start;
                let bytes = self.bytes();
                while index + 1 < bytes.len() {
                    if bytes[index] == b'/' && bytes[index + 1] == b'*' && (nests || depth == 0) {
                        depth += 1;
                        index += 2;
                    } else if bytes[index] == b'*' && bytes[index + 1] == b'/' {
                        depth -= 1;
                        index += 2;
                        if depth == 0 {
                            self.position = index;
                            return Some(self.token(TokenKind::Comment { open_end: false }, start));
                        }
                    } else {
                        index += 1;
                    }
                }
                self.position = self.text.len();
                Some(self.token(TokenKind::Comment { open_end: true }, start))
            }
        }
    }

    fn string(&mut self, start: usize, rest: &str) -> Option<Token> {
        let first = rest.chars().next()?;
        match (self.language, first) {
            (_, '"') | (_, '\'') => {
                let content_start = start + 1;
                let mut index = content_start;
                let bytes = self.bytes();
                let quote = first as u8;
                while index < bytes.len() {
                    match bytes[index] {
                        b'\\' => index += 2,
                        b'\n' | b'\r' => break,
                        byte if byte == quote => {
                            self.position = index + 1;
                            let content = TextRange::new(content_start, index);
                            return Some(self.token(
                                TokenKind::String {
                                    content,
                                    terminated: true,
                                },
                                start,
                            ));
                        }
                        _ => index += 1,
                    }
                }
                let end = index.min(bytes.len());
                self.position = end;
                let content = TextRange::new(content_start, end);
                Some(self.token(
                    TokenKind::String {
                        content,
                        terminated: false,
                    },
                    start,
                ))
            }
            (Language::Lua, '[') => {
                let equals = long_bracket_level(rest)?;
                let content_start = start + equals + 2;
                let (end, terminated) = self.long_bracket_end(content_start, equals);
                self.position = end;
                let content_end = if terminated { end - equals - 2 } else { end };
                let content = TextRange::new(content_start, content_end.max(content_start));
                Some(self.token(
                    TokenKind::String {
                        content,
                        terminated,
                    },
                    start,
                ))
            }
            (Language::JavaScript | Language::Rhai, '`') => {
                Some(self.template_rest(start, start + 1))
            }
            (Language::Rhai, '#') => {
                let hashes = rest.bytes().take_while(|&byte| byte == b'#').count();
                if rest.as_bytes().get(hashes) != Some(&b'"') {
                    return None;
                }
                let content_start = start + hashes + 1;
                let closer: String = std::iter::once('"')
                    .chain(std::iter::repeat_n('#', hashes))
                    .collect();
                match self
                    .text
                    .get(content_start..)
                    .and_then(|after| after.find(&closer))
                {
                    Some(index) => {
                        self.position = content_start + index + closer.len();
                        let content = TextRange::new(content_start, content_start + index);
                        Some(self.token(
                            TokenKind::String {
                                content,
                                terminated: true,
                            },
                            start,
                        ))
                    }
                    None => {
                        self.position = self.text.len();
                        let content = TextRange::new(content_start, self.text.len());
                        Some(self.token(
                            TokenKind::String {
                                content,
                                terminated: false,
                            },
                            start,
                        ))
                    }
                }
            }
            _ => None,
        }
    }

    /// A template string (or its continuation after an interpolation) from `content_start` to
    /// its closing backtick or its next `${`.
    fn template_rest(&mut self, start: usize, content_start: usize) -> Token {
        let bytes = self.bytes();
        let mut index = content_start;
        while index < bytes.len() {
            match bytes[index] {
                b'\\' => index += 2,
                b'`' => {
                    self.position = index + 1;
                    let content = TextRange::new(content_start, index);
                    return self.token(
                        TokenKind::String {
                            content,
                            terminated: true,
                        },
                        start,
                    );
                }
                b'$' if bytes.get(index + 1) == Some(&b'{') => {
                    // The string piece ends here; the next token is the `${`, then the
                    // expression, then the `}` that resumes the template.
                    self.position = index;
                    let content = TextRange::new(content_start, index);
                    let token = self.token(
                        TokenKind::String {
                            content,
                            terminated: true,
                        },
                        start,
                    );
                    self.pending_interpolation = true;
                    return token;
                }
                _ => index += 1,
            }
        }
        let end = bytes.len();
        self.position = end;
        let content = TextRange::new(content_start.min(end), end);
        self.token(
            TokenKind::String {
                content,
                terminated: false,
            },
            start,
        )
    }

    fn number(&mut self) {
        let bytes = self.bytes();
        let mut index = self.position;
        while index < bytes.len() {
            let byte = bytes[index];
            let previous = if index > self.position {
                bytes[index - 1]
            } else {
                0
            };
            let keep = byte.is_ascii_alphanumeric()
                || byte == b'_'
                || (byte == b'.' && bytes.get(index + 1).is_some_and(u8::is_ascii_digit))
                || (matches!(byte, b'+' | b'-') && matches!(previous, b'e' | b'E' | b'p' | b'P'));
            if !keep {
                break;
            }
            index += 1;
        }
        self.position = index.max(self.position + 1).min(bytes.len());
    }

    fn regex_allowed(&self) -> bool {
        let Some(previous) = self.previous else {
            return true;
        };
        match previous.kind {
            TokenKind::Identifier => matches!(
                previous.text(self.text),
                "return"
                    | "typeof"
                    | "case"
                    | "in"
                    | "of"
                    | "new"
                    | "delete"
                    | "void"
                    | "throw"
                    | "yield"
                    | "await"
                    | "else"
                    | "do"
            ),
            TokenKind::Literal | TokenKind::String { .. } | TokenKind::Close(_) => false,
            _ => true,
        }
    }

    fn regex(&mut self) {
        let bytes = self.bytes();
        let mut index = self.position + 1;
        let mut in_class = false;
        while index < bytes.len() {
            match bytes[index] {
                b'\\' => index += 1,
                b'\n' => break,
                b'[' => in_class = true,
                b']' => in_class = false,
                b'/' if !in_class => {
                    index += 1;
                    while index < bytes.len() && bytes[index].is_ascii_alphabetic() {
                        index += 1;
                    }
                    break;
                }
                _ => {}
            }
            index += 1;
        }
        self.position = index.min(bytes.len());
    }

    /// The end of a Lua long bracket body starting at `from` with `equals` `=` signs, and
    /// whether it was closed.
    fn long_bracket_end(&self, from: usize, equals: usize) -> (usize, bool) {
        let closer: String = std::iter::once(']')
            .chain(std::iter::repeat_n('=', equals))
            .chain(std::iter::once(']'))
            .collect();
        match self.text.get(from..).and_then(|body| body.find(&closer)) {
            Some(index) => (from + index + closer.len(), true),
            None => (self.text.len(), false),
        }
    }
}

impl Iterator for Lexer<'_> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        if self.pending_interpolation {
            self.pending_interpolation = false;
            let start = self.position;
            self.position += 2;
            self.interpolations.push(0);
            return Some(self.token(TokenKind::Open(Bracket::Interpolation), start));
        }
        self.next_token()
    }
}

/// For text starting with `[`, the number of `=` of a Lua long bracket `[==[`, if it is one.
fn long_bracket_level(text: &str) -> Option<usize> {
    let after = text.strip_prefix('[')?;
    let equals = after.bytes().take_while(|&byte| byte == b'=').count();
    (after.as_bytes().get(equals) == Some(&b'[')).then_some(equals)
}

fn is_identifier_start(character: char, language: Language) -> bool {
    character == '_'
        || character.is_alphabetic()
        || (language == Language::JavaScript && character == '$')
}

fn is_identifier_continue(character: char, language: Language) -> bool {
    character == '_'
        || character.is_alphanumeric()
        || (language == Language::JavaScript && character == '$')
}

/// Whether `word` is a keyword of `language` (not a name a spell can define).
pub(crate) fn is_keyword(language: Language, word: &str) -> bool {
    keywords(language).contains(&word)
}

/// The keywords of a language, for completion and for telling names from keywords.
pub(crate) fn keywords(language: Language) -> &'static [&'static str] {
    match language {
        Language::Lua => &[
            "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto",
            "if", "in", "local", "nil", "not", "or", "repeat", "return", "then", "true", "until",
            "while",
        ],
        Language::JavaScript => &[
            "async",
            "await",
            "break",
            "case",
            "catch",
            "class",
            "const",
            "continue",
            "debugger",
            "default",
            "delete",
            "do",
            "else",
            "export",
            "extends",
            "false",
            "finally",
            "for",
            "function",
            "if",
            "import",
            "in",
            "instanceof",
            "let",
            "new",
            "null",
            "of",
            "return",
            "super",
            "switch",
            "this",
            "throw",
            "true",
            "try",
            "typeof",
            "undefined",
            "var",
            "void",
            "while",
            "yield",
        ],
        Language::Rhai => &[
            "as", "break", "catch", "const", "continue", "do", "else", "export", "false", "fn",
            "for", "global", "if", "import", "in", "let", "loop", "private", "return", "switch",
            "this", "throw", "true", "try", "until", "while",
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(language: Language, text: &str) -> Vec<String> {
        Lexer::new(language, text, 0)
            .map(|token| {
                let kind = match token.kind {
                    TokenKind::Identifier => "ident",
                    TokenKind::Literal => "lit",
                    TokenKind::String {
                        terminated: true, ..
                    } => "str",
                    TokenKind::String {
                        terminated: false, ..
                    } => "open-str",
                    TokenKind::Comment { .. } => "comment",
                    TokenKind::Open(_) => "open",
                    TokenKind::Close(_) => "close",
                    TokenKind::Punct => "punct",
                };
                format!("{kind} {}", token.text(text))
            })
            .collect()
    }

    #[test]
    fn lua_long_strings_comments_and_methods() {
        let text = "local a = [==[x]]y]==] -- c\n--[[ block ]] a:run{ 1.5e+3 }";
        assert_eq!(
            kinds(Language::Lua, text),
            [
                "ident local",
                "ident a",
                "punct =",
                "str [==[x]]y]==]",
                "comment -- c",
                "comment --[[ block ]]",
                "ident a",
                "punct :",
                "ident run",
                "open {",
                "lit 1.5e+3",
                "close }",
            ]
        );
    }

    #[test]
    fn template_strings_resume_after_interpolation() {
        let text = "`a${ {b: 1}.b }c` / 2; x = /re[/]/g";
        assert_eq!(
            kinds(Language::JavaScript, text),
            [
                "str `a",
                "open ${",
                "open {",
                "ident b",
                "punct :",
                "lit 1",
                "close }",
                "punct .",
                "ident b",
                "close }",
                "str c`",
                "punct /",
                "lit 2",
                "punct ;",
                "ident x",
                "punct =",
                "lit /re[/]/g",
            ]
        );
    }

    #[test]
    fn rhai_maps_raw_strings_and_nested_comments() {
        let text = "agent::create(#{ a: #\"q\"# }) /* x /* y */ z */ \"open";
        assert_eq!(
            kinds(Language::Rhai, text),
            [
                "ident agent",
                "punct ::",
                "ident create",
                "open (",
                "open #{",
                "ident a",
                "punct :",
                "str #\"q\"#",
                "close }",
                "close )",
                "comment /* x /* y */ z */",
                "open-str \"open",
            ]
        );
    }
}
