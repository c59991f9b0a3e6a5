//! An open document: its text (a rope), version, language and syntax tree;
//! incremental edits, incremental reparsing and exact position conversion.
//!
//! LSP-free: positions are `(line, character)` pairs whose `character` is
//! counted in a [`PositionEncoding`] negotiated by the server. Lines end at
//! `\n`, `\r\n` or a lone `\r`, as in LSP (ropey's `cr_lines` feature, with
//! its Unicode line breaks switched off). Tree-sitter points use byte
//! columns; their rows agree with ours except in files that end lines with
//! a lone `\r`, where only the (unused by us) point rows of edited nodes are
//! approximate — every conversion to and from editor positions goes through
//! byte offsets.

use std::sync::atomic::{AtomicU64, Ordering};

use ropey::Rope;

use crate::language::Language;

/// How the `character` of a position is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PositionEncoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units: the LSP default every client supports.
    #[default]
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

impl PositionEncoding {
    pub fn as_str(self) -> &'static str {
        match self {
            PositionEncoding::Utf8 => "utf-8",
            PositionEncoding::Utf16 => "utf-16",
            PositionEncoding::Utf32 => "utf-32",
        }
    }
}

/// A 0-based line and a 0-based character offset in some encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: u32,
    pub character: u32,
}

impl LineCol {
    pub fn new(line: u32, character: u32) -> Self {
        LineCol { line, character }
    }
}

/// A position converted to a byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Offset {
    pub byte: usize,
    /// The position was outside the text or inside a character and was
    /// moved to the nearest valid offset.
    pub clamped: bool,
}

/// One open document. Cheap to clone: the rope shares its nodes and
/// tree-sitter trees are reference-counted.
#[derive(Debug, Clone)]
pub struct Document {
    version: i32,
    /// Unique per text: a new number for every new text or edit (clones
    /// share it). Clients may repeat or lower `version`; this never repeats.
    revision: u64,
    language: Option<Language>,
    rope: Rope,
    /// The tree of this text, or of an earlier text edited (`Tree::edit`) so
    /// that its byte ranges line up with this one, ready for an incremental
    /// reparse.
    tree: Option<tree_sitter::Tree>,
    /// Whether `tree` was parsed from exactly this text.
    tree_is_current: bool,
}

impl Document {
    pub fn new(text: &str, version: i32, language: Option<Language>) -> Self {
        Document {
            version,
            revision: next_revision(),
            language,
            rope: Rope::from_str(text),
            tree: None,
            tree_is_current: false,
        }
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn set_version(&mut self, version: i32) {
        self.version = version;
    }

    /// The text's unique revision (see the field).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    /// Whether two snapshots have the same text and version.
    pub fn same_snapshot(&self, other: &Document) -> bool {
        self.revision == other.revision && self.version == other.version
    }

    pub fn language(&self) -> Option<Language> {
        self.language
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    pub fn len_bytes(&self) -> usize {
        self.rope.len_bytes()
    }

    /// The text of a 0-based line without its line ending (empty past the end).
    pub fn line_text(&self, line: usize) -> String {
        if line >= self.rope.len_lines() {
            return String::new();
        }
        let start = self.rope.line_to_char(line);
        let end = self.line_content_end_char(line);
        self.rope.slice(start..end).to_string()
    }

    /// The byte offset where a 0-based line starts (the end of the text past the last line).
    pub fn line_start_byte(&self, line: usize) -> usize {
        if line >= self.rope.len_lines() {
            return self.rope.len_bytes();
        }
        self.rope.line_to_byte(line)
    }

    /// The char index just before the line ending of `line` (which must exist).
    fn line_content_end_char(&self, line: usize) -> usize {
        let start = self.rope.line_to_char(line);
        let mut end = self.rope.line_to_char(line + 1);
        if end > start && self.rope.char(end - 1) == '\n' {
            end -= 1;
            if end > start && self.rope.char(end - 1) == '\r' {
                end -= 1;
            }
        } else if end > start && self.rope.char(end - 1) == '\r' {
            end -= 1;
        }
        end
    }

    /// Converts a position to a byte offset. A line past the end gives the
    /// end of the text; a character past the end of its line gives the end
    /// of the line (as LSP prescribes); a character inside a multi-unit
    /// character gives its start. Each of those sets `clamped`.
    pub fn offset(&self, position: LineCol, encoding: PositionEncoding) -> Offset {
        let rope = &self.rope;
        let line = position.line as usize;
        if line >= rope.len_lines() {
            return Offset {
                byte: rope.len_bytes(),
                clamped: true,
            };
        }
        let character = position.character as usize;
        let line_start_char = rope.line_to_char(line);
        let line_end_char = self.line_content_end_char(line);
        let (char_idx, clamped) = match encoding {
            PositionEncoding::Utf8 => {
                let line_start_byte = rope.char_to_byte(line_start_char);
                let line_end_byte = rope.char_to_byte(line_end_char);
                let byte = line_start_byte.saturating_add(character);
                if byte > line_end_byte {
                    (line_end_char, true)
                } else {
                    let char_idx = rope.byte_to_char(byte);
                    (char_idx, rope.char_to_byte(char_idx) != byte)
                }
            }
            PositionEncoding::Utf16 => {
                let base = rope.char_to_utf16_cu(line_start_char);
                let line_end = rope.char_to_utf16_cu(line_end_char);
                let target = base.saturating_add(character);
                if target > line_end {
                    (line_end_char, true)
                } else {
                    let char_idx = rope.utf16_cu_to_char(target);
                    (char_idx, rope.char_to_utf16_cu(char_idx) != target)
                }
            }
            PositionEncoding::Utf32 => {
                let char_idx = line_start_char.saturating_add(character);
                if char_idx > line_end_char {
                    (line_end_char, true)
                } else {
                    (char_idx, false)
                }
            }
        };
        Offset {
            byte: rope.char_to_byte(char_idx),
            clamped,
        }
    }

    /// Converts a byte offset (clamped to the text, rounded down to a
    /// character boundary) to a position.
    pub fn position(&self, byte: usize, encoding: PositionEncoding) -> LineCol {
        let rope = &self.rope;
        let byte = byte.min(rope.len_bytes());
        // ASCII text (one byte per character, as most code is): a column is
        // the same number in every encoding.
        if rope.len_chars() == rope.len_bytes() {
            let line = rope.byte_to_line(byte);
            return LineCol {
                line: saturate(line),
                character: saturate(byte - rope.line_to_byte(line)),
            };
        }
        let char_idx = rope.byte_to_char(byte);
        let line = rope.char_to_line(char_idx);
        let line_start_char = rope.line_to_char(line);
        let character = match encoding {
            PositionEncoding::Utf8 => rope.char_to_byte(char_idx) - rope.line_to_byte(line),
            PositionEncoding::Utf16 => {
                rope.char_to_utf16_cu(char_idx) - rope.char_to_utf16_cu(line_start_char)
            }
            PositionEncoding::Utf32 => char_idx - line_start_char,
        };
        LineCol {
            line: saturate(line),
            character: saturate(character),
        }
    }

    /// A converter for many byte offsets of this text at once (the
    /// diagnostics of one publication).
    pub fn positions(&self) -> Positions<'_> {
        Positions {
            doc: self,
            line_starts: self.ascii_line_starts(),
        }
    }

    /// The byte offset of every line start, when the text is ASCII (a
    /// column is then the same number in every encoding). Lines end as in
    /// [`Document::position`]: `\n`, `\r\n` or a lone `\r`.
    fn ascii_line_starts(&self) -> Option<Vec<usize>> {
        if self.rope.len_chars() != self.rope.len_bytes() {
            return None;
        }
        let mut starts = Vec::with_capacity(self.rope.len_lines());
        starts.push(0);
        let mut at = 0;
        let mut after_cr = false;
        for chunk in self.rope.chunks() {
            for &byte in chunk.as_bytes() {
                at += 1;
                match byte {
                    // `\r\n` ends one line: its start moves past the `\n`.
                    b'\n' if after_cr => {
                        if let Some(last) = starts.last_mut() {
                            *last = at;
                        }
                    }
                    b'\n' | b'\r' => starts.push(at),
                    _ => {}
                }
                after_cr = byte == b'\r';
            }
        }
        Some(starts)
    }

    /// The tree-sitter point (row, byte column) of a byte offset.
    pub fn point(&self, byte: usize) -> tree_sitter::Point {
        let byte = byte.min(self.rope.len_bytes());
        let row = self.rope.byte_to_line(byte);
        tree_sitter::Point {
            row,
            column: byte - self.rope.line_to_byte(row),
        }
    }

    /// Applies one change: `range` in the current text (`None` replaces the
    /// whole text). Returns whether an end of the range had to be clamped.
    pub fn apply_change(
        &mut self,
        range: Option<(LineCol, LineCol)>,
        new_text: &str,
        encoding: PositionEncoding,
    ) -> bool {
        let Some((start, end)) = range else {
            self.rope = Rope::from_str(new_text);
            self.revision = next_revision();
            self.tree = None;
            self.tree_is_current = false;
            return false;
        };
        let start = self.offset(start, encoding);
        let end = self.offset(end, encoding);
        let (start_byte, end_byte) = if start.byte <= end.byte {
            (start.byte, end.byte)
        } else {
            (end.byte, start.byte)
        };
        self.edit(start_byte, end_byte, new_text);
        start.clamped || end.clamped || start.byte > end.byte
    }

    /// Replaces the bytes `start..end` (character boundaries) with
    /// `new_text`, and edits the tree to match.
    pub fn edit(&mut self, start_byte: usize, end_byte: usize, new_text: &str) {
        let len = self.rope.len_bytes();
        let start_byte = start_byte.min(len);
        let end_byte = end_byte.clamp(start_byte, len);
        let start_position = self.point(start_byte);
        let old_end_position = self.point(end_byte);
        let start_char = self.rope.byte_to_char(start_byte);
        let end_char = self.rope.byte_to_char(end_byte);
        // The byte offsets may not be boundaries if a caller passed raw
        // bytes: use the boundaries the rope edits at.
        let start_byte = self.rope.char_to_byte(start_char);
        let end_byte = self.rope.char_to_byte(end_char);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        self.revision = next_revision();
        let new_end_byte = start_byte + new_text.len();
        let new_end_position = self.point(new_end_byte);
        if let Some(tree) = &mut self.tree {
            tree.edit(&tree_sitter::InputEdit {
                start_byte,
                old_end_byte: end_byte,
                new_end_byte,
                start_position,
                old_end_position,
                new_end_position,
            });
        }
        self.tree_is_current = false;
    }

    /// The syntax tree of `text` (which must be this document's text),
    /// parsed incrementally from the previous tree when there is one.
    pub fn parse(&self, text: &str) -> Option<tree_sitter::Tree> {
        let language = self.language?;
        if self.tree_is_current
            && let Some(tree) = &self.tree
        {
            return Some(tree.clone());
        }
        crate::analysis::parse(text, language, self.tree.as_ref())
    }

    /// Whether the stored tree was parsed from exactly this text.
    pub fn has_current_tree(&self) -> bool {
        self.tree_is_current && self.tree.is_some()
    }

    /// Stores the tree parsed from this exact text.
    pub fn set_tree(&mut self, tree: tree_sitter::Tree) {
        self.tree = Some(tree);
        self.tree_is_current = true;
    }
}

fn next_revision() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn saturate(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Byte offsets of one document converted to positions, through a table of
/// line starts when the text is ASCII: a binary search instead of walking
/// the rope for each of the thousands of positions a publication holds.
pub struct Positions<'d> {
    doc: &'d Document,
    line_starts: Option<Vec<usize>>,
}

impl Positions<'_> {
    pub fn doc(&self) -> &Document {
        self.doc
    }

    /// The same as [`Document::position`].
    pub fn position(&self, byte: usize, encoding: PositionEncoding) -> LineCol {
        let Some(starts) = &self.line_starts else {
            return self.doc.position(byte, encoding);
        };
        let byte = byte.min(self.doc.len_bytes());
        let line = starts
            .partition_point(|&start| start <= byte)
            .saturating_sub(1);
        let start = starts.get(line).copied().unwrap_or(0);
        LineCol {
            line: saturate(line),
            character: saturate(byte - start),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "a = 1\nnom = \"é😀\" + user.email\r\nlast";

    fn doc() -> Document {
        Document::new(TEXT, 1, Some(Language::Python))
    }

    /// The line-start table gives what the rope gives, for every offset of
    /// texts built from line breaks of every kind (also split across the
    /// rope's chunks), and the rope path is used for non-ASCII text.
    #[test]
    fn batch_positions_agree_with_the_rope() {
        let pieces = [
            "ab",
            "\n",
            "\r\n",
            "\r",
            "\r\r\n",
            "\n\n",
            "x = user.email",
            "",
            "é",
        ];
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize
        };
        for round in 0..300 {
            let mut text = String::new();
            let ascii = round % 5 != 0;
            // Long enough texts span several rope chunks.
            let len = if round % 7 == 0 { 3000 } else { next() % 40 };
            for _ in 0..len {
                let piece = pieces[next() % pieces.len()];
                if ascii && !piece.is_ascii() {
                    continue;
                }
                text.push_str(piece);
            }
            let doc = Document::new(&text, 1, Some(Language::Python));
            let positions = doc.positions();
            assert_eq!(positions.line_starts.is_some(), text.is_ascii());
            for byte in
                (0..=text.len() + 2).filter(|b| text.is_char_boundary(*b) || *b > text.len())
            {
                for encoding in [PositionEncoding::Utf8, PositionEncoding::Utf16] {
                    assert_eq!(
                        positions.position(byte, encoding),
                        doc.position(byte, encoding),
                        "{text:?} at {byte}"
                    );
                }
            }
        }
    }

    #[test]
    fn positions_round_trip_in_every_encoding() {
        let doc = doc();
        for encoding in [
            PositionEncoding::Utf8,
            PositionEncoding::Utf16,
            PositionEncoding::Utf32,
        ] {
            // Every character start except the `\n` of `\r\n`: a position
            // cannot point between the two.
            for (byte, _) in TEXT
                .char_indices()
                .filter(|(i, c)| !(*c == '\n' && TEXT[..*i].ends_with('\r')))
            {
                let position = doc.position(byte, encoding);
                let offset = doc.offset(position, encoding);
                assert_eq!(offset.byte, byte, "{encoding:?} at {byte}");
                assert!(!offset.clamped);
            }
        }
    }

    #[test]
    fn long_lines_convert_like_short_ones() {
        let long = format!("x = \"{}é😀\" + user.email\n", "a".repeat(5000));
        let doc = Document::new(&long, 1, None);
        let byte = long.find("user").unwrap();
        let utf16 = doc.position(byte, PositionEncoding::Utf16);
        assert_eq!(utf16, LineCol::new(0, 5 + 5000 + 1 + 2 + 4));
        assert_eq!(doc.offset(utf16, PositionEncoding::Utf16).byte, byte);
        // Inside the emoji: its start.
        let emoji = long.find('😀').unwrap();
        assert_eq!(
            doc.position(emoji + 2, PositionEncoding::Utf8),
            doc.position(emoji, PositionEncoding::Utf8)
        );
    }

    #[test]
    fn user_after_emoji_is_counted_per_encoding() {
        let doc = doc();
        let byte = TEXT.find("user").unwrap();
        // `nom = "é😀" + ` : é is 2 bytes / 1 unit, 😀 is 4 bytes / 2 units / 1 char.
        assert_eq!(
            doc.position(byte, PositionEncoding::Utf8),
            LineCol::new(1, 17)
        );
        assert_eq!(
            doc.position(byte, PositionEncoding::Utf16),
            LineCol::new(1, 14)
        );
        assert_eq!(
            doc.position(byte, PositionEncoding::Utf32),
            LineCol::new(1, 13)
        );
        assert_eq!(doc.point(byte).column, 17);
        // A byte inside 😀 rounds down to its start.
        let emoji = TEXT.find('😀').unwrap();
        assert_eq!(
            doc.position(emoji + 3, PositionEncoding::Utf16),
            doc.position(emoji, PositionEncoding::Utf16)
        );
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let doc = doc();
        let end_of_line_1 = TEXT.find("\r\n").unwrap();
        let offset = doc.offset(LineCol::new(1, 500), PositionEncoding::Utf16);
        assert_eq!(offset.byte, end_of_line_1);
        assert!(offset.clamped);
        let offset = doc.offset(LineCol::new(99, 0), PositionEncoding::Utf16);
        assert_eq!(offset.byte, TEXT.len());
        assert!(offset.clamped);
        // Inside the surrogate pair of 😀: the start of the emoji.
        let emoji = TEXT.find('😀').unwrap();
        let offset = doc.offset(LineCol::new(1, 9), PositionEncoding::Utf16);
        assert_eq!((offset.byte, offset.clamped), (emoji, true));
        // Inside the UTF-8 bytes of é.
        let e = TEXT.find('é').unwrap();
        let offset = doc.offset(LineCol::new(1, 8), PositionEncoding::Utf8);
        assert_eq!((offset.byte, offset.clamped), (e, true));
    }

    #[test]
    fn unicode_line_separators_are_not_line_breaks() {
        let doc = Document::new("a\u{2028}b\u{85}c\nd", 1, None);
        assert_eq!(doc.rope().len_lines(), 2);
        assert_eq!(doc.line_text(0), "a\u{2028}b\u{85}c");
        let lone_cr = Document::new("a\rb", 1, None);
        assert_eq!(lone_cr.line_text(1), "b");
    }

    #[test]
    fn incremental_edits_reparse_like_a_fresh_parse() {
        let mut doc = doc();
        let text = doc.text();
        let tree = doc.parse(&text).unwrap();
        doc.set_tree(tree);
        // Replace `user.email` by `client.name` and add a line with an emoji.
        let start = doc.position(TEXT.find("user").unwrap(), PositionEncoding::Utf16);
        let end = LineCol::new(start.line, start.character + "user.email".len() as u32);
        assert!(!doc.apply_change(Some((start, end)), "client.name", PositionEncoding::Utf16));
        assert!(!doc.apply_change(
            Some((LineCol::new(0, 5), LineCol::new(1, 0))),
            "\nb = \"😀\"\n",
            PositionEncoding::Utf16
        ));
        let text = doc.text();
        assert_eq!(
            text,
            "a = 1\nb = \"😀\"\nnom = \"é😀\" + client.name\r\nlast"
        );
        let incremental = doc.parse(&text).unwrap();
        let fresh = crate::analysis::parse(&text, Language::Python, None).unwrap();
        assert_eq!(
            incremental.root_node().to_sexp(),
            fresh.root_node().to_sexp()
        );
        let name = text.find("name").unwrap();
        let node = incremental
            .root_node()
            .descendant_for_byte_range(name, name + 4)
            .unwrap();
        assert_eq!(node.start_position(), doc.point(name));
    }

    #[test]
    fn full_replacement_drops_the_tree() {
        let mut doc = doc();
        let text = doc.text();
        let tree = doc.parse(&text).unwrap();
        doc.set_tree(tree);
        doc.apply_change(None, "x = 2\n", PositionEncoding::Utf16);
        assert!(!doc.has_current_tree());
        assert_eq!(doc.text(), "x = 2\n");
    }
}
