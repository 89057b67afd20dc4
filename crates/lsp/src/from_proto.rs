//! LSP types into editor terms. Positions are UTF-16 on both sides (the encoding the server
//! negotiates), so the conversion is a copy; out-of-range positions are clamped by the analysis.

use llmspell_ide::{Position, Range};
use tower_lsp_server::lsp_types as lsp;

pub fn position(position: lsp::Position) -> Position {
    Position::new(position.line, position.character)
}

pub fn range(range: lsp::Range) -> Range {
    Range::new(position(range.start), position(range.end))
}
