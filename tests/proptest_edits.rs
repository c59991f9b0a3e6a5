//! Property tests for incremental documents:
//!
//! 1. the text after any sequence of incremental edits (any positions, in
//!    or past the text, inside multi-byte characters and between `\r` and
//!    `\n`, in UTF-8, UTF-16 and UTF-32) equals applying the same edits to a
//!    plain string by the LSP rules (`fuzz/harness.rs` has the model);
//! 2. incremental re-parsing and re-analysis give the same findings as
//!    analysing the final text from scratch, and the same tree when the
//!    text has no syntax errors (tree-sitter may recover from errors
//!    differently when reparsing incrementally; see
//!    `tests/fuzz_regressions/README.md`).
//!
//! `PROPTEST_CASES=N` runs more cases than the default 256.

#[path = "../fuzz/harness.rs"]
mod harness;

use harness::{ALPHABET, Edit, check_edits, model_apply, model_offset};
use privacy_lens::document::{Document, LineCol, PositionEncoding};
use privacy_lens::language::Language;
use proptest::prelude::*;

fn encoding() -> impl Strategy<Value = PositionEncoding> {
    prop_oneof![
        Just(PositionEncoding::Utf8),
        Just(PositionEncoding::Utf16),
        Just(PositionEncoding::Utf32),
    ]
}

fn snippet() -> impl Strategy<Value = String> {
    prop::collection::vec(0..ALPHABET.len(), 0..6)
        .prop_map(|parts| parts.into_iter().map(|i| ALPHABET[i]).collect())
}

fn position(max_line: u32) -> impl Strategy<Value = LineCol> {
    (0..max_line, 0..40u32).prop_map(|(line, character)| LineCol::new(line, character))
}

fn edit(max_line: u32) -> impl Strategy<Value = Edit> {
    prop_oneof![
        1 => snippet().prop_map(|text| Edit { range: None, text }),
        30 => (position(max_line), position(max_line), snippet())
            .prop_map(|(a, b, text)| Edit { range: Some((a, b)), text }),
    ]
}

/// Real code with flows, tags and multi-byte text, to edit.
const PYTHON: &str = "import openai\r\nclient = openai.OpenAI()\n\n# @data-use essential.service data=user.name\ndef reply(user):\n    note = \"café 😀\"\n    prompt = f\"Write to {user.email} — {user.name}\"\r\n    return client.chat.completions.create(model=\"gpt-4o\", messages=[{\"role\": \"user\", \"content\": prompt}])\n";
const JAVASCRIPT: &str = "import OpenAI from \"openai\";\nconst client = new OpenAI();\n\nexport async function reply(user) {\n  const prompt = `Write to ${user.email} 😀`;\r\n  return client.chat.completions.create({ model: \"gpt-4o\", messages: [{ role: \"user\", content: prompt }] });\n}\n";

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Text after edits equals the plain-string model, after every edit.
    #[test]
    fn edits_match_a_plain_string(
        encoding in encoding(),
        initial in snippet(),
        edits in prop::collection::vec(edit(6), 0..40),
    ) {
        let mut doc = Document::new(&initial, 1, None);
        let mut model = initial.clone();
        for edit in &edits {
            doc.apply_change(edit.range, &edit.text, encoding);
            model_apply(&mut model, edit, encoding);
            prop_assert_eq!(doc.text(), model.clone());
        }
    }

    /// Offsets of positions agree with the model and round-trip.
    #[test]
    fn positions_convert_like_the_model(
        encoding in encoding(),
        text in snippet(),
        more in snippet(),
        position in position(6),
    ) {
        let text = format!("{text}{more}{text}");
        let doc = Document::new(&text, 1, None);
        let offset = doc.offset(position, encoding);
        prop_assert_eq!(offset.byte, model_offset(&text, position, encoding));
        let back = doc.position(offset.byte, encoding);
        prop_assert_eq!(doc.offset(back, encoding).byte, offset.byte);
    }

    /// Incremental reparse and re-analysis equal a fresh one (Python).
    #[test]
    fn incremental_analysis_equals_a_fresh_one_python(
        encoding in encoding(),
        edits in prop::collection::vec(edit(10), 0..12),
        reparse_each in any::<bool>(),
    ) {
        check_edits(encoding, PYTHON, &edits, Language::Python, reparse_each);
    }

    /// Incremental reparse and re-analysis equal a fresh one (JavaScript and TSX).
    #[test]
    fn incremental_analysis_equals_a_fresh_one_javascript(
        encoding in encoding(),
        edits in prop::collection::vec(edit(8), 0..12),
        reparse_each in any::<bool>(),
        tsx in any::<bool>(),
    ) {
        let language = if tsx { Language::Tsx } else { Language::JavaScript };
        check_edits(encoding, JAVASCRIPT, &edits, language, reparse_each);
    }
}

/// The model itself follows LSP on the cases that matter.
#[test]
fn the_model_follows_lsp() {
    let text = "a\r\nb😀c\rd\n";
    let utf16 = PositionEncoding::Utf16;
    // Between `\r` and `\n` is the end of line 0.
    assert_eq!(model_offset(text, LineCol::new(0, 5), utf16), 1);
    // Inside the surrogate pair: the emoji's start.
    assert_eq!(model_offset(text, LineCol::new(1, 2), utf16), 4);
    assert_eq!(model_offset(text, LineCol::new(1, 3), utf16), 8);
    // A lone `\r` ends a line.
    assert_eq!(model_offset(text, LineCol::new(2, 0), utf16), 10);
    // Past the last line: the end.
    assert_eq!(model_offset(text, LineCol::new(9, 0), utf16), text.len());
}
