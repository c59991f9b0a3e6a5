//! Output formats: human text with code frames ([`text`]), the public JSON
//! findings contract ([`json`]), SARIF ([`sarif`]) and GitHub annotations
//! ([`github`]) for `check`; the AI data-flow inventory ([`inventory`]) as
//! Markdown, HTML, JSON and a Fides manifest for `report`. Renderers take a
//! [`CheckResult`] (or an inventory) and write to any `io::Write`; they never
//! print on their own.

use std::path::Path;

use serde::Serialize;

use crate::check::{CheckResult, CheckedFile};
use crate::finding::{Finding, Point, RecognisedSink, Span};

pub mod fides;
pub mod fingerprint;
pub mod github;
pub mod html;
pub mod inventory;
pub mod json;
pub mod markdown;
pub mod sarif;
pub mod text;

/// A 1-based line and a 1-based column counted in Unicode scalar values
/// (characters), as the findings contract specifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A start and an (exclusive) end [`Position`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Range {
    pub start: Position,
    pub end: Position,
}

/// The 1-based character position of `point`, whose byte offset in `text` is
/// `byte`. Without the text (or with inconsistent input) the byte column is
/// used, so this never panics.
pub fn position(text: Option<&str>, byte: usize, point: Point) -> Position {
    let column = match text {
        Some(text) => char_column(text, byte),
        None => point.column,
    };
    Position {
        line: point.row + 1,
        column: column + 1,
    }
}

/// [`position`] of both ends of a span.
pub fn range(text: Option<&str>, span: &Span) -> Range {
    Range {
        start: position(text, span.start_byte, span.start),
        end: position(text, span.end_byte, span.end),
    }
}

/// The 0-based column of byte offset `byte` in characters: the number of
/// characters between the start of its line and `byte`. Offsets past the end
/// or inside a character are clamped.
pub fn char_column(text: &str, byte: usize) -> usize {
    let bytes = text.as_bytes();
    let byte = byte.min(bytes.len());
    let line_start = line_start(bytes, byte);
    // Count UTF-8 lead bytes, i.e. everything but continuation bytes.
    bytes[line_start..byte]
        .iter()
        .filter(|&&b| (b & 0xC0) != 0x80)
        .count()
}

/// The byte offset where the line holding `byte` starts.
pub(crate) fn line_start(bytes: &[u8], byte: usize) -> usize {
    let byte = byte.min(bytes.len());
    bytes[..byte]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1)
}

/// A path as the reports print it: forward slashes on every platform.
/// Each step of a finding's flow as `path:line note` (steps in other files
/// name their file).
pub fn flow_steps(file: &Path, finding: &crate::finding::Finding) -> Vec<String> {
    finding
        .flow
        .iter()
        .map(|step| {
            let step_path = step.file.as_deref().unwrap_or(file);
            format!(
                "{}:{} {}",
                path_string(step_path),
                step.span.start.row + 1,
                step.note
            )
        })
        .collect()
}

pub fn path_string(path: &Path) -> String {
    let s = path.to_string_lossy();
    if cfg!(windows) {
        s.replace('\\', "/")
    } else {
        s.into_owned()
    }
}

/// Whether a finding with a sink covers this recognised AI call, i.e. the call
/// receives personal data.
/// Every recognised AI call of a run with its file and whether personal data reaches it.
pub fn recognised_sinks(
    result: &crate::check::CheckResult,
) -> impl Iterator<Item = (&CheckedFile, &RecognisedSink, bool)> {
    result.files.iter().flat_map(|file| {
        file.analysis
            .recognised_sinks
            .iter()
            .map(move |rs| (file, rs, has_personal_data(file, rs)))
    })
}

pub fn has_personal_data(file: &CheckedFile, sink: &RecognisedSink) -> bool {
    file.analysis.findings.iter().any(|f| covers(f, sink))
}

fn covers(finding: &Finding, sink: &RecognisedSink) -> bool {
    finding
        .sink
        .as_ref()
        .is_some_and(|s| s.api == sink.sink.api)
        && finding.span.start_byte <= sink.span.start_byte
        && sink.span.end_byte <= finding.span.end_byte
}

/// The text of the file a source or flow step points to: `file` when `None`,
/// else the other analysed file, if its text was kept.
pub(crate) fn text_for<'a>(
    result: &'a CheckResult,
    file: &'a CheckedFile,
    other: Option<&Path>,
) -> Option<&'a str> {
    match other {
        None => file.text.as_deref(),
        Some(path) if path == file.path => file.text.as_deref(),
        Some(path) => result.source(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "x = 1\nname = \"Zoë Ångström\"; f(é)\n";
        let byte = text.find("f(").unwrap();
        assert_eq!(char_column(text, byte), 23);
        assert_eq!(char_column(text, 0), 0);
        assert_eq!(char_column(text, 6), 0);
        // Out of range and mid-character offsets are clamped, never panic.
        assert_eq!(char_column(text, 10_000), 0);
        let mid = text.find('ë').unwrap() + 1;
        assert_eq!(char_column(text, mid), 11);
    }
}
