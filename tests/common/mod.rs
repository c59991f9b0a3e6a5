//! A hand-built check result for report tests: realistic findings in a file
//! with multi-byte characters before the reported columns.

#![allow(dead_code)]

use privacy_lens::check::{CheckResult, CheckedFile, SkipReason, SkippedFile};
use privacy_lens::finding::{
    AnalysisNote, DataUseTag, FileAnalysis, Finding, FlowStep, Point, RecognisedSink, Severity,
    Sink, SinkKind, SourceRef, Span, Status,
};
use privacy_lens::language::Language;
use privacy_lens::rules;

pub const CHAT_PY: &str = r#"from openai import OpenAI

client = OpenAI()

def greet(user):
    prompt = f"Grüße, {user.name}! Ihre E-Mail: {user.email}"
    # @data-use essential.service data=user.name basis=contract
    réponse = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    return réponse

def summarise(ticket):
    résumé = client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": ticket.body}],
    )
    return résumé
"#;

/// The span of the `nth` occurrence (0-based) of `needle` in `text`.
pub fn span_of(text: &str, needle: &str, nth: usize) -> Span {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} not in the fixture"))
        .0;
    span_between(text, start, start + needle.len())
}

/// The span from the start of `first` to the end of the first `last` after it.
pub fn span_from_to(text: &str, first: &str, last: &str, nth: usize) -> Span {
    let start = text.match_indices(first).nth(nth).expect("start").0;
    let end = start + text[start..].find(last).expect("end") + last.len();
    span_between(text, start, end)
}

pub fn span_between(text: &str, start: usize, end: usize) -> Span {
    Span {
        start_byte: start,
        end_byte: end,
        start: point(text, start),
        end: point(text, end),
    }
}

/// The tree-sitter point (0-based row, byte column) of a byte offset.
pub fn point(text: &str, byte: usize) -> Point {
    let before = &text[..byte];
    Point {
        row: before.matches('\n').count(),
        column: byte - before.rfind('\n').map_or(0, |i| i + 1),
    }
}

fn openai_chat() -> Sink {
    Sink {
        kind: SinkKind::LlmInference,
        api: "openai.chat.completions.create".into(),
        provider: "OpenAI".into(),
    }
}

pub fn chat_analysis() -> FileAnalysis {
    let text = CHAT_PY;
    let call = span_from_to(text, "client.chat.completions.create(", "}])", 0);
    let rule = &rules::PERSONAL_DATA_TO_LLM;
    let finding = Finding {
        code: rule.code,
        rule: rule.name,
        severity: Severity::Warning,
        message: "Personal data is sent to a hosted LLM: user.contact.email, user.name reach `openai.chat.completions.create`".into(),
        span: call,
        sink: Some(openai_chat()),
        categories: vec!["user.contact.email".into(), "user.name".into()],
        sources: vec![
            SourceRef {
                file: None,
                span: span_of(text, "user.name", 0),
                category: "user.name".into(),
                evidence: "user.name".into(),
            },
            SourceRef {
                file: None,
                span: span_of(text, "user.email", 0),
                category: "user.contact.email".into(),
                evidence: "user.email".into(),
            },
        ],
        flow: vec![
            FlowStep {
                file: None,
                span: span_of(text, "user.email", 0),
                note: "`user.email` is user.contact.email".into(),
            },
            FlowStep {
                file: None,
                span: span_of(text, "prompt", 0),
                note: "prompt".into(),
            },
            FlowStep {
                file: None,
                span: call,
                note: "sent to `openai.chat.completions.create`".into(),
            },
        ],
        tag: Some(DataUseTag {
            data_use: "essential.service".into(),
            data: vec!["user.name".into()],
            basis: Some("contract".into()),
            ..DataUseTag::default()
        }),
        status: Status::PartiallyDeclared,
        fixes: Vec::new(),
    };
    let second_call = span_from_to(text, "client.chat.completions.create(", "\n    )", 1);
    let ticket = Finding {
        code: rule.code,
        rule: rule.name,
        severity: Severity::Warning,
        message: "Personal data is sent to a hosted LLM: user.content reaches `openai.chat.completions.create`".into(),
        span: second_call,
        sink: Some(openai_chat()),
        categories: vec!["user.content".into()],
        sources: vec![SourceRef {
            file: None,
            span: span_of(text, "ticket.body", 0),
            category: "user.content".into(),
            evidence: "ticket.body".into(),
        }],
        flow: vec![],
        tag: None,
        status: Status::Undeclared,
        fixes: Vec::new(),
    };
    FileAnalysis {
        // Deliberately out of order: reports sort by position.
        findings: vec![ticket, finding],
        notes: vec![AnalysisNote {
            message: "flow analysis stopped after 10000 steps in `greet`".into(),
        }],
        recognised_sinks: vec![
            RecognisedSink {
                span: call,
                sink: openai_chat(),
            },
            RecognisedSink {
                span: second_call,
                sink: openai_chat(),
            },
        ],
        ..FileAnalysis::default()
    }
}

/// A result with one analysed file, one clean file and two skipped files.
pub fn sample_result() -> CheckResult {
    let chat = CheckedFile::new("app/chat.py", Language::Python, CHAT_PY, chat_analysis());
    let clean = CheckedFile::new(
        "app/util.py",
        Language::Python,
        "def add(a, b):\n    return a + b\n",
        FileAnalysis::default(),
    );
    CheckResult::from_files(
        vec![clean, chat],
        vec![
            SkippedFile {
                path: "data/blob.py".into(),
                reason: SkipReason::Binary,
            },
            SkippedFile {
                path: "app/legacy.py".into(),
                reason: SkipReason::InvalidUtf8,
            },
        ],
    )
}

/// The findings JSON Schema shipped in `docs/`.
pub fn schema() -> serde_json::Value {
    let text = include_str!("../../docs/findings.schema.json");
    serde_json::from_str(text).expect("the schema is valid JSON")
}

/// Validates `instance` against the schema; the error lists every violation.
pub fn validate(instance: &serde_json::Value) -> Result<(), String> {
    let validator = jsonschema::validator_for(&schema()).map_err(|e| e.to_string())?;
    let errors: Vec<String> = validator
        .iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}
