//! The fuzz harness, shared by the `cargo fuzz` targets (`fuzz/fuzz_targets/`)
//! and by the regression test that replays saved crashes in CI
//! (`tests/fuzz_regressions.rs`, which includes this file with `#[path]`).
//!
//! Each function takes arbitrary bytes, drives one part of privacy-lens
//! with them and checks invariants a bug would break; a panic (including a
//! failed invariant) or a hang is a finding.

#![allow(dead_code)]

use std::time::Duration;

use privacy_lens::analysis::{self, AnalysisOptions, tags};
use privacy_lens::document::{Document, LineCol, PositionEncoding};
use privacy_lens::language::Language;

/// Every target, by the name of its `fuzz_targets/<name>.rs` file.
pub const TARGETS: [&str; 7] = [
    "analyze_python",
    "analyze_javascript",
    "analyze_typescript",
    "analyze_tsx",
    "tag_parser",
    "config",
    "lsp_edits",
];

/// Runs the target `name` on `data`.
pub fn run(name: &str, data: &[u8]) {
    match name {
        "analyze_python" => analyze(data, Language::Python),
        "analyze_javascript" => analyze(data, Language::JavaScript),
        "analyze_typescript" => analyze(data, Language::TypeScript),
        "analyze_tsx" => analyze(data, Language::Tsx),
        "tag_parser" => tag_parser(data),
        "config" => config(data),
        "lsp_edits" => lsp_edits(data),
        other => panic!("unknown fuzz target {other}"),
    }
}

/// Analyses the bytes as a file of `language` (invalid UTF-8 replaced, as
/// an editor would have decoded it); findings must lie inside the text.
pub fn analyze(data: &[u8], language: Language) {
    let text = String::from_utf8_lossy(data);
    let options = AnalysisOptions {
        time_limit: Duration::from_secs(2),
        ..AnalysisOptions::default()
    };
    let analysis = analysis::analyze(&text, language, &options);
    for finding in &analysis.findings {
        let span = &finding.span;
        assert!(span.start_byte <= span.end_byte && span.end_byte <= text.len());
        assert!(text.is_char_boundary(span.start_byte) && text.is_char_boundary(span.end_byte));
        for fix in &finding.fixes {
            for edit in &fix.edits {
                assert!(edit.span.start_byte <= edit.span.end_byte);
                assert!(edit.span.end_byte <= text.len());
                assert!(text.is_char_boundary(edit.span.start_byte));
            }
        }
    }
}

/// Parses the bytes as a comment and validates every tag in it.
pub fn tag_parser(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let offset = 7;
    for tag in tags::parse_comment(&text, offset) {
        assert!(tag.start <= tag.end && tag.end <= text.len() + offset);
        let _ = tags::validate(&tag);
    }
    // And as a comment in a file, with a call under it.
    let source = format!("# {}\nmodel.fit(x)\n", text.replace(['\n', '\r'], " "));
    let _ = analysis::analyze(&source, Language::Python, &AnalysisOptions::default());
}

/// Parses the bytes as `privacy-lens.toml`, and as JSON editor settings.
pub fn config(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let path = std::path::Path::new("/fuzz/privacy-lens.toml");
    if let Ok(loaded) = privacy_lens::config::load_text(path, &text) {
        // A configuration that loads must also work in an analysis.
        let options = AnalysisOptions {
            extensions: std::sync::Arc::new(loaded.config.extensions()),
            ..AnalysisOptions::default()
        };
        let _ = analysis::analyze(
            "import acme\nx = acme.client.predict(user.email)\n",
            Language::Python,
            &options,
        );
        let _ = loaded
            .config
            .exclude
            .is_excluded(std::path::Path::new("/fuzz/a/b.py"));
    }
    let pyproject = std::path::Path::new("/fuzz/pyproject.toml");
    let _ = privacy_lens::config::load_text(pyproject, &text);
    if let Ok(value) = serde_json::from_str::<serde_json::Value>(&text) {
        let _ = privacy_lens::config::from_json_with_warnings(&value);
    }
}

// ---------------------------------------------------------------------------
// Edits: the document against a plain-string model
// ---------------------------------------------------------------------------

/// Characters edits insert: ASCII, code, multi-byte, astral (surrogate
/// pairs in UTF-16), every line ending, NUL and a BOM.
pub const ALPHABET: [&str; 16] = [
    "a",
    "x",
    " ",
    "\n",
    "\r\n",
    "\r",
    "é",
    "😀",
    "\0",
    "\u{feff}",
    "user.email",
    "(",
    ")",
    "\"",
    "#",
    "prompt = f\"{user.name}\"\n",
];

/// One edit as the client sends it.
#[derive(Debug, Clone)]
pub struct Edit {
    /// `None` replaces the whole text.
    pub range: Option<(LineCol, LineCol)>,
    pub text: String,
}

/// A reader of fuzz bytes.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }
}

pub fn encoding_of(byte: u8) -> PositionEncoding {
    match byte % 3 {
        0 => PositionEncoding::Utf8,
        1 => PositionEncoding::Utf16,
        _ => PositionEncoding::Utf32,
    }
}

/// Decodes bytes into an encoding, a starting text and edits.
pub fn decode_edits(data: &[u8]) -> (PositionEncoding, String, Vec<Edit>) {
    let mut bytes = Bytes(data);
    let encoding = encoding_of(bytes.byte().unwrap_or(0));
    let mut text = String::new();
    for _ in 0..bytes.byte().unwrap_or(0) % 16 {
        text.push_str(ALPHABET[usize::from(bytes.byte().unwrap_or(0)) % ALPHABET.len()]);
    }
    let mut edits = Vec::new();
    while let Some(op) = bytes.byte() {
        let mut position = || {
            let line = u32::from(bytes.byte().unwrap_or(0) % 8);
            let character = u32::from(bytes.byte().unwrap_or(0) % 24);
            LineCol::new(line, character)
        };
        let range = if op % 16 == 0 {
            None
        } else {
            Some((position(), position()))
        };
        let mut inserted = String::new();
        for _ in 0..bytes.byte().unwrap_or(0) % 4 {
            inserted.push_str(ALPHABET[usize::from(bytes.byte().unwrap_or(0)) % ALPHABET.len()]);
        }
        edits.push(Edit {
            range,
            text: inserted,
        });
    }
    (encoding, text, edits)
}

/// The LSP meaning of a position in a plain string, written independently
/// of `Document`: lines end at `\n`, `\r\n` or `\r`; a line past the end is
/// the end of the text; a character past the end of its line is the end
/// of the line; a position inside a character is that character's start.
pub fn model_offset(text: &str, position: LineCol, encoding: PositionEncoding) -> usize {
    // Line starts.
    let bytes = text.as_bytes();
    let mut starts = vec![0];
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                starts.push(i + 2);
                i += 2;
            }
            b'\r' | b'\n' => {
                starts.push(i + 1);
                i += 1;
            }
            _ => i += 1,
        }
    }
    let line = position.line as usize;
    if line >= starts.len() {
        return text.len();
    }
    let start = starts[line];
    let mut end = starts.get(line + 1).copied().unwrap_or(text.len());
    let content = &text[start..end];
    if content.ends_with("\r\n") {
        end -= 2;
    } else if content.ends_with('\n') || content.ends_with('\r') {
        end -= 1;
    }
    let mut units = 0usize;
    for (i, c) in text[start..end].char_indices() {
        let width = match encoding {
            PositionEncoding::Utf8 => c.len_utf8(),
            PositionEncoding::Utf16 => c.len_utf16(),
            PositionEncoding::Utf32 => 1,
        };
        if units + width > position.character as usize {
            return start + i;
        }
        units += width;
    }
    end
}

/// Applies one edit to a plain string the way LSP defines it.
pub fn model_apply(text: &mut String, edit: &Edit, encoding: PositionEncoding) {
    match edit.range {
        None => *text = edit.text.clone(),
        Some((start, end)) => {
            let a = model_offset(text, start, encoding);
            let b = model_offset(text, end, encoding);
            let (a, b) = (a.min(b), a.max(b));
            text.replace_range(a..b, &edit.text);
        }
    }
}

/// Applies edits to a document and to the model; the texts must agree
/// after every edit, and the incremental parse and analysis must equal a
/// parse and analysis from scratch.
pub fn lsp_edits(data: &[u8]) {
    let (encoding, initial, edits) = decode_edits(data);
    check_edits(encoding, &initial, &edits, Language::Python, true);
}

/// See [`lsp_edits`]; `reparse_each` parses after every edit (as the server
/// does when edits are slower than its debounce) instead of only at the end.
pub fn check_edits(
    encoding: PositionEncoding,
    initial: &str,
    edits: &[Edit],
    language: Language,
    reparse_each: bool,
) {
    let mut doc = Document::new(initial, 1, Some(language));
    let mut model = initial.to_string();
    if let Some(tree) = doc.parse(&doc.text()) {
        doc.set_tree(tree);
    }
    for (i, edit) in edits.iter().enumerate() {
        doc.apply_change(edit.range, &edit.text, encoding);
        model_apply(&mut model, edit, encoding);
        assert_eq!(doc.text(), model, "after edit {i}: {edit:?}");
        assert_eq!(doc.len_bytes(), model.len());
        if reparse_each && i % 3 == 2 {
            let text = doc.text();
            if let Some(tree) = doc.parse(&text) {
                doc.set_tree(tree);
            }
        }
    }
    let text = doc.text();
    let options = AnalysisOptions::default();
    let incremental = doc.parse(&text).expect("incremental parse");
    let fresh = analysis::parse(&text, language, None).expect("parse from scratch");
    // Trees must match for valid code. For code with syntax errors,
    // tree-sitter's error recovery may shape an incremental reparse
    // differently from a fresh parse (found by this target:
    // `tests/fuzz_regressions/lsp_edits/`); what users see, the findings,
    // must still be the same.
    if !fresh.root_node().has_error() {
        assert_eq!(
            incremental.root_node().to_sexp(),
            fresh.root_node().to_sexp(),
            "incremental tree differs for {text:?}"
        );
    }
    let a = analysis::analyze_tree(&text, &incremental, language, &options);
    let b = analysis::analyze(&text, language, &options);
    assert_eq!(
        format!("{:?}", a.findings),
        format!("{:?}", b.findings),
        "incremental findings differ for {text:?}"
    );
}
