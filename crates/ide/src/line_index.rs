//! Editor positions (zero-based line, UTF-16 column) and their byte offsets in a text.

/// A position as editors count it: zero-based line, zero-based UTF-16 code unit in the line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub line: u32,
    pub character: u32,
}

impl Position {
    pub fn new(line: u32, character: u32) -> Position {
        Position { line, character }
    }
}

/// A half-open range of editor positions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

impl Range {
    pub fn new(start: Position, end: Position) -> Range {
        Range { start, end }
    }
}

/// Line starts of one text, to turn byte offsets into positions and back.
#[derive(Clone, Debug, Default)]
pub struct LineIndex {
    /// Byte offset of the start of every line; the first is 0.
    line_starts: Vec<usize>,
    /// Length of the text in bytes.
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut line_starts = vec![0];
        line_starts.extend(
            text.bytes()
                .enumerate()
                .filter(|(_, byte)| *byte == b'\n')
                .map(|(index, _)| index + 1),
        );
        LineIndex { line_starts, len: text.len() }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The position of a byte offset (clamped to the text; an offset inside a character counts
    /// as that character's start).
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let offset = floor_char_boundary(text, offset.min(self.len));
        let line = self.line_starts.partition_point(|start| *start <= offset) - 1;
        let line_start = self.line_starts[line];
        let character: usize = text[line_start..offset].chars().map(char::len_utf16).sum();
        Position { line: line as u32, character: character as u32 }
    }

    /// The byte offset of a position. A line past the end gives the end of the text; a column
    /// past the end of its line gives the end of that line (before its line break).
    pub fn offset(&self, text: &str, position: Position) -> usize {
        let Some(&line_start) = self.line_starts.get(position.line as usize) else {
            return self.len;
        };
        let line_end = self
            .line_starts
            .get(position.line as usize + 1)
            .map_or(self.len, |next| next - 1);
        let line_text = &text[line_start..line_end];
        let line_text = line_text.strip_suffix('\r').unwrap_or(line_text);
        let mut units = 0u32;
        for (index, character) in line_text.char_indices() {
            if units >= position.character {
                return line_start + index;
            }
            units += character.len_utf16() as u32;
        }
        line_start + line_text.len()
    }

    pub fn range(&self, text: &str, range: llmspell_syntax::TextRange) -> Range {
        Range { start: self.position(text, range.start), end: self.position(text, range.end) }
    }

    pub fn text_range(&self, text: &str, range: Range) -> llmspell_syntax::TextRange {
        let start = self.offset(text, range.start);
        let end = self.offset(text, range.end).max(start);
        llmspell_syntax::TextRange::new(start, end)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_and_round_trip() {
        let text = "a = 1\nb = \"é😀x\"\r\nlast";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 3);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x), Position::new(1, 8));
        assert_eq!(index.offset(text, Position::new(1, 8)), x);
        // Past the end of a line: the end of that line, before "\r\n".
        assert_eq!(index.offset(text, Position::new(1, 99)), text.find('\r').unwrap());
        // Past the last line: the end of the text.
        assert_eq!(index.offset(text, Position::new(9, 0)), text.len());
        assert_eq!(index.position(text, text.len()), Position::new(2, 4));
    }
}
