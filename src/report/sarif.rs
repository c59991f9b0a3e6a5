//! SARIF 2.1.0 (`check --format sarif`), as GitHub code scanning reads it.
//!
//! - every rule is a `reportingDescriptor` with its summary, the first
//!   paragraph of "What it finds" as the full description and the whole
//!   documentation page as help;
//! - a result has the AI call as its location, the sources as
//!   `relatedLocations` (linked from the message), the flow path as a
//!   `codeFlow`, a line-independent fingerprint ([`super::fingerprint`]) in
//!   `partialFingerprints`, and the categories, sink and tag in `properties`;
//! - a flow declared by a `@data-use` tag carries an `inSource` suppression
//!   whose justification is the tag (a reviewed, accepted flow), which SARIF
//!   viewers hide;
//! - skipped files and analysis notes are tool notifications.
//!
//! Columns are counted in Unicode code points, which the run declares with
//! `columnKind`.

use std::io::{self, Write};
use std::path::Path;

use serde_json::{Map, Value, json};

use super::fingerprint::{self, SARIF_KEY};
use super::text::tag_text;
use super::{Range, path_string, position, range, text_for};
use crate::check::{CheckResult, CheckedFile};
use crate::finding::{Finding, Severity, Status};
use crate::rules::{self, Rule};

/// The schema URI GitHub and editors recognise for SARIF 2.1.0.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// Base id of the directory paths are relative to (the working directory).
pub const SRCROOT: &str = "%SRCROOT%";

/// Builds the SARIF log for a run. `root` is the directory relative paths
/// start from (the working directory), recorded as `%SRCROOT%` when given.
pub fn document(result: &CheckResult, root: Option<&Path>) -> Value {
    let rules: Vec<Value> = rules::ALL.iter().map(|r| rule_descriptor(r)).collect();
    let mut results = Vec::new();
    for file in &result.files {
        let prints = fingerprint::occurrences(&file.path, &file.analysis.findings);
        for (finding, (print, occurrence)) in file.analysis.findings.iter().zip(prints) {
            results.push(sarif_result(
                result,
                file,
                finding,
                &format!("{print}:{occurrence}"),
            ));
        }
    }

    let mut notifications = Vec::new();
    for skipped in &result.skipped {
        notifications.push(json!({
            "level": "warning",
            "message": { "text": format!("skipped: {}", skipped.reason) },
            "locations": [{ "physicalLocation": { "artifactLocation": artifact(&skipped.path) } }],
        }));
    }
    for file in &result.files {
        for note in &file.analysis.notes {
            notifications.push(json!({
                "level": "note",
                "message": { "text": note.message },
                "locations": [{ "physicalLocation": { "artifactLocation": artifact(&file.path) } }],
            }));
        }
    }

    let mut run = json!({
        "tool": {
            "driver": {
                "name": env!("CARGO_PKG_NAME"),
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }
        },
        "invocations": [{
            "executionSuccessful": true,
            "toolExecutionNotifications": notifications,
        }],
        "columnKind": "unicodeCodePoints",
        "results": results,
    });
    if let Some(root) = root {
        run["originalUriBaseIds"] = json!({ SRCROOT: { "uri": directory_uri(root) } });
    }
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [run],
    })
}

/// Writes the log, pretty-printed, followed by a newline.
pub fn write(out: &mut dyn Write, result: &CheckResult, root: Option<&Path>) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &document(result, root))?;
    writeln!(out)
}

fn rule_descriptor(rule: &Rule) -> Value {
    let kind_tags: &[&str] = match rule.code.as_bytes().get(2) {
        Some(b'2') => &["privacy", "data-use-tags"],
        _ => &["privacy", "ai", "personal-data"],
    };
    json!({
        "id": rule.code,
        "name": pascal_case(rule.name),
        "shortDescription": { "text": rule.summary },
        "fullDescription": { "text": what_it_finds(rule.docs).unwrap_or(rule.summary) },
        "help": { "text": rule.docs, "markdown": rule.docs },
        "defaultConfiguration": { "level": level(rule.default_severity) },
        "properties": {
            "tags": kind_tags,
            "precision": "medium",
            "problem.severity": problem_severity(rule.default_severity),
        },
    })
}

/// `personal-data-to-llm` → `PersonalDataToLlm` (SARIF rule names are
/// identifiers, as CodeQL and ESLint write them).
fn pascal_case(name: &str) -> String {
    name.split('-')
        .map(|word| {
            let mut chars = word.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

/// The first paragraph under `## What it finds`, on one line.
fn what_it_finds(docs: &str) -> Option<&str> {
    let start = docs.find("## What it finds")?;
    let body = docs[start..].split_once('\n')?.1.trim_start();
    let end = body.find("\n\n").unwrap_or(body.len());
    let paragraph = body[..end].trim();
    (!paragraph.is_empty() && !paragraph.starts_with('#')).then_some(paragraph)
}

/// SARIF has no hint level: hints and infos are notes.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

/// GitHub's `problem.severity` property: error, warning or recommendation.
fn problem_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "recommendation",
    }
}

fn sarif_result(
    result: &CheckResult,
    file: &CheckedFile,
    finding: &Finding,
    fingerprint: &str,
) -> Value {
    let text = file.text.as_deref();
    let primary = location(&file.path, range(text, &finding.span), None);

    let mut related = Vec::new();
    let mut links = Vec::new();
    for (i, source) in finding.sources.iter().enumerate() {
        let id = i + 1;
        let source_path = source.file.as_deref().unwrap_or(&file.path);
        let source_text = text_for(result, file, source.file.as_deref());
        let start = position(source_text, source.span.start_byte, source.span.start);
        let end = position(source_text, source.span.end_byte, source.span.end);
        let label = format!("{} ({})", source.evidence, source.category);
        let mut loc = location(source_path, Range { start, end }, Some(&label));
        loc["id"] = json!(id);
        related.push(loc);
        links.push(format!("[{}]({id})", escape_message(&source.evidence)));
    }
    let mut message = escape_message(&finding.message);
    if !links.is_empty() {
        message.push_str(&format!(" (from {})", links.join(", ")));
    }

    let mut value = json!({
        "ruleId": finding.code,
        "ruleIndex": rules::ALL.iter().position(|r| r.code == finding.code),
        "level": level(finding.severity),
        "message": { "text": message },
        "locations": [primary],
        "partialFingerprints": { SARIF_KEY: fingerprint },
    });
    let object = value.as_object_mut().expect("json! builds an object");
    if value_is_null(object, "ruleIndex") {
        object.remove("ruleIndex");
    }
    if !related.is_empty() {
        object.insert("relatedLocations".into(), Value::Array(related));
    }
    if let Some(flow) = code_flow(result, file, finding) {
        object.insert("codeFlows".into(), json!([flow]));
    }
    if finding.status == Status::Declared
        && let Some(tag) = &finding.tag
    {
        object.insert(
            "suppressions".into(),
            json!([{ "kind": "inSource", "justification": tag_text(tag) }]),
        );
    }
    object.insert("properties".into(), properties(finding));
    value
}

fn value_is_null(object: &Map<String, Value>, key: &str) -> bool {
    object.get(key).is_some_and(Value::is_null)
}

fn properties(finding: &Finding) -> Value {
    let mut props = json!({
        "severity": finding.severity.as_str(),
        "rule": finding.rule,
        "categories": finding.categories,
    });
    if let Some(sink) = &finding.sink {
        props["sinkKind"] = json!(sink.kind.as_str());
        props["sinkApi"] = json!(sink.api);
        props["provider"] = json!(sink.provider);
        props["status"] = json!(finding.status.as_str());
    }
    if let Some(tag) = &finding.tag {
        props["tag"] = json!(tag);
    }
    props
}

/// The flow path as one thread flow; without recorded steps, the sources
/// then the sink.
fn code_flow(result: &CheckResult, file: &CheckedFile, finding: &Finding) -> Option<Value> {
    let mut steps: Vec<Value> = finding
        .flow
        .iter()
        .map(|step| {
            let step_path = step.file.as_deref().unwrap_or(&file.path);
            let text = text_for(result, file, step.file.as_deref());
            let start = position(text, step.span.start_byte, step.span.start);
            let end = position(text, step.span.end_byte, step.span.end);
            json!({ "location": location(step_path, Range { start, end }, Some(&step.note)) })
        })
        .collect();
    if steps.is_empty() && !finding.sources.is_empty() {
        for source in &finding.sources {
            let source_path = source.file.as_deref().unwrap_or(&file.path);
            let text = text_for(result, file, source.file.as_deref());
            let start = position(text, source.span.start_byte, source.span.start);
            let end = position(text, source.span.end_byte, source.span.end);
            let note = format!("{} is {}", source.evidence, source.category);
            steps.push(
                json!({ "location": location(source_path, Range { start, end }, Some(&note)) }),
            );
        }
        let api = finding
            .sink
            .as_ref()
            .map_or("the AI call", |s| s.api.as_str());
        let note = format!("sent to `{api}`");
        steps.push(json!({
            "location": location(&file.path, range(file.text.as_deref(), &finding.span), Some(&note))
        }));
    }
    if steps.is_empty() {
        return None;
    }
    Some(json!({ "threadFlows": [{ "locations": steps }] }))
}

fn location(path: &Path, range: Range, message: Option<&str>) -> Value {
    let mut loc = json!({
        "physicalLocation": {
            "artifactLocation": artifact(path),
            "region": {
                "startLine": range.start.line,
                "startColumn": range.start.column,
                "endLine": range.end.line,
                "endColumn": range.end.column,
            }
        }
    });
    if let Some(text) = message {
        loc["message"] = json!({ "text": text });
    }
    loc
}

/// A relative path becomes a URI reference relative to `%SRCROOT%`; an
/// absolute one a `file://` URI.
fn artifact(path: &Path) -> Value {
    let text = path_string(path);
    if path.is_absolute() {
        json!({ "uri": file_uri(&text) })
    } else {
        json!({ "uri": percent_encode(&text), "uriBaseId": SRCROOT })
    }
}

fn directory_uri(dir: &Path) -> String {
    let mut uri = file_uri(&path_string(dir));
    if !uri.ends_with('/') {
        uri.push('/');
    }
    uri
}

fn file_uri(path: &str) -> String {
    let path = path.strip_prefix('/').unwrap_or(path);
    format!("file:///{}", percent_encode(path))
}

/// Percent-encodes everything but unreserved characters and `/`
/// (RFC 3986), so paths with spaces or non-ASCII names are valid URIs.
pub fn percent_encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// SARIF messages treat `[text](id)` as links: literal brackets are escaped.
fn escape_message(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('[', "\\[")
        .replace(']', "\\]")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_names_and_descriptions() {
        assert_eq!(pascal_case("personal-data-to-llm"), "PersonalDataToLlm");
        let docs = "# PL1 x\n\n## What it finds\n\nFirst para\ncontinues.\n\nSecond.\n";
        assert_eq!(what_it_finds(docs), Some("First para\ncontinues."));
        assert_eq!(what_it_finds("# nothing"), None);
        for rule in rules::ALL {
            assert!(what_it_finds(rule.docs).is_some(), "{}", rule.code);
        }
    }

    #[test]
    fn paths_become_uris() {
        assert_eq!(
            percent_encode("app/my file ü.py"),
            "app/my%20file%20%C3%BC.py"
        );
        assert_eq!(file_uri("/srv/app x/"), "file:///srv/app%20x/");
        assert_eq!(directory_uri(Path::new("/srv/app")), "file:///srv/app/");
        assert_eq!(escape_message("a [b] \\"), "a \\[b\\] \\\\");
    }
}
