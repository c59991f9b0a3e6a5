//! The public JSON findings contract (`check --format json`), as the design
//! document's "Findings contract" section specifies it; `docs/findings.schema.json`
//! is its JSON Schema.
//!
//! Field names and meanings are a public interface: change them only by adding
//! fields, or by bumping [`VERSION`].

use std::io::{self, Write};

use serde::Serialize;

use super::{Position, Range, path_string, position, range, recognised_sinks, text_for};
use crate::check::{CheckResult, CheckedFile, Totals};
use crate::finding::{DataUseTag, Finding, Sink, Status};

/// Version of the document format.
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOptions {
    /// Add the top-level `recognised_sinks` array.
    pub all_sinks: bool,
}

/// The whole document.
#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub version: u32,
    pub tool: Tool,
    pub findings: Vec<JsonFinding<'a>>,
    pub summary: Summary,
    /// Additive: files that were not analysed, and why.
    pub skipped: Vec<Skipped>,
    /// Additive: things the analysis could not do fully.
    pub notes: Vec<Note<'a>>,
    /// Additive, with `--all-sinks`: every recognised AI call.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recognised_sinks: Option<Vec<JsonRecognisedSink<'a>>>,
}

#[derive(Debug, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

impl Tool {
    pub fn this() -> Tool {
        Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct JsonFinding<'a> {
    pub code: &'static str,
    pub rule: &'static str,
    pub severity: &'static str,
    pub message: &'a str,
    pub path: String,
    pub range: Range,
    pub sink: Option<&'a Sink>,
    pub categories: &'a [String],
    pub sources: Vec<JsonSource<'a>>,
    pub tag: Option<&'a DataUseTag>,
    pub status: Status,
    /// Additive: a representative flow path, source to sink.
    pub flow: Vec<JsonFlowStep<'a>>,
}

#[derive(Debug, Serialize)]
pub struct JsonSource<'a> {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub category: &'a str,
    pub evidence: &'a str,
}

#[derive(Debug, Serialize)]
pub struct JsonFlowStep<'a> {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub note: &'a str,
}

#[derive(Debug, Serialize)]
pub struct Summary {
    pub files: usize,
    pub lines: usize,
    pub findings: usize,
}

#[derive(Debug, Serialize)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

#[derive(Debug, Serialize)]
pub struct Note<'a> {
    pub path: String,
    pub message: &'a str,
}

#[derive(Debug, Serialize)]
pub struct JsonRecognisedSink<'a> {
    pub path: String,
    pub range: Range,
    pub sink: &'a Sink,
    /// Whether a finding reports personal data reaching this call.
    pub personal_data: bool,
}

/// Builds the document for a run.
pub fn document<'a>(result: &'a CheckResult, options: &JsonOptions) -> Document<'a> {
    let findings: Vec<_> = result
        .findings()
        .map(|(file, finding)| json_finding(result, file, finding))
        .collect();
    let notes = result
        .files
        .iter()
        .flat_map(|file| {
            file.analysis.notes.iter().map(|note| Note {
                path: path_string(&file.path),
                message: &note.message,
            })
        })
        .collect();
    let skipped = result
        .skipped
        .iter()
        .map(|s| Skipped {
            path: path_string(&s.path),
            reason: s.reason.to_string(),
        })
        .collect();
    let recognised_sinks = options.all_sinks.then(|| {
        recognised_sinks(result)
            .map(|(file, rs, personal_data)| JsonRecognisedSink {
                path: path_string(&file.path),
                range: range(file.text.as_deref(), &rs.span),
                sink: &rs.sink,
                personal_data,
            })
            .collect()
    });
    Document {
        version: VERSION,
        tool: Tool::this(),
        summary: Summary {
            files: result.totals.files,
            lines: result.totals.lines,
            findings: findings.len(),
        },
        findings,
        skipped,
        notes,
        recognised_sinks,
    }
}

/// One finding as the contract describes it. `file` is the analysed file the
/// finding belongs to; `result` resolves cross-file sources.
pub fn json_finding<'a>(
    result: &'a CheckResult,
    file: &'a CheckedFile,
    finding: &'a Finding,
) -> JsonFinding<'a> {
    let sources = finding
        .sources
        .iter()
        .map(|source| {
            let text = text_for(result, file, source.file.as_deref());
            let Position { line, column } =
                position(text, source.span.start_byte, source.span.start);
            JsonSource {
                path: path_string(source.file.as_deref().unwrap_or(&file.path)),
                line,
                column,
                category: &source.category,
                evidence: &source.evidence,
            }
        })
        .collect();
    let flow = finding
        .flow
        .iter()
        .map(|step| {
            let text = text_for(result, file, step.file.as_deref());
            let Position { line, column } = position(text, step.span.start_byte, step.span.start);
            JsonFlowStep {
                path: path_string(step.file.as_deref().unwrap_or(&file.path)),
                line,
                column,
                note: &step.note,
            }
        })
        .collect();
    JsonFinding {
        code: finding.code,
        rule: finding.rule,
        severity: finding.severity.as_str(),
        message: &finding.message,
        path: path_string(&file.path),
        range: range(file.text.as_deref(), &finding.span),
        sink: finding.sink.as_ref(),
        categories: &finding.categories,
        sources,
        tag: finding.tag.as_ref(),
        status: finding.status,
        flow,
    }
}

/// Writes the document, pretty-printed, followed by a newline.
pub fn write(out: &mut dyn Write, result: &CheckResult, options: &JsonOptions) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(result, options))?;
    writeln!(out)
}

/// The `check --parse-only --format json` summary.
#[derive(Debug, Serialize)]
pub struct ParseSummary {
    pub files: usize,
    pub lines: usize,
    pub bytes: usize,
    pub seconds: f64,
}

impl ParseSummary {
    pub fn new(totals: &Totals, seconds: f64) -> Self {
        ParseSummary {
            files: totals.files,
            lines: totals.lines,
            bytes: totals.bytes,
            seconds,
        }
    }
}
