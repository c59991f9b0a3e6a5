//! `textDocument/hover`: on a tag key, what the key means; on a source of
//! personal data, why it was classified and which AI calls it reaches; on
//! an AI call with a finding, which data reaches it from where, what this
//! kind of call does to that data, and the tag's status. Short Markdown,
//! most important line first.

use std::fmt::Write as _;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    self as lsp, Hover, HoverContents, HoverParams, MarkupContent, MarkupKind,
};

use super::diagnostics;
use crate::document::{Document, PositionEncoding};
use crate::finding::{Finding, SourceRef, Span, Status};
use crate::knowledge::{self, base};
use crate::server::{Analysed, Backend, convert, guarded};

/// The tag markers whose lines get key hovers.
const TAG_MARKERS: [&str; 5] = [
    "@data-use",
    "@personal-data",
    "@not-personal-data",
    "@sanitizer",
    "@ai-sink",
];

/// At most this many sources are listed in a call hover.
const MAX_SOURCES: usize = 8;

pub async fn hover(backend: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let uri = params.text_document_position_params.text_document.uri;
    let position = params.text_document_position_params.position;
    let Some(analysed) = diagnostics::current_analysis(backend, &uri).await else {
        return Ok(None);
    };
    let encoding = backend.encoding();
    guarded("hover", || compute(&analysed, position, encoding))
}

/// The hover at `position` of an analysed document.
pub(crate) fn compute(
    analysed: &Analysed,
    position: lsp::Position,
    encoding: PositionEncoding,
) -> Option<Hover> {
    let doc = &analysed.doc;
    let offset = convert::offset(doc, position, encoding);
    if offset.clamped && position.line as usize >= doc.rope().len_lines() {
        return None;
    }
    let byte = offset.byte;
    tag_key_hover(doc, position.line as usize, byte, encoding)
        .or_else(|| source_hover(analysed, byte, encoding))
        .or_else(|| call_hover(analysed, byte, encoding))
        .or_else(|| finding_hover(analysed, byte, encoding))
}

fn markdown(value: String, range: lsp::Range) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: value.trim_end().to_string(),
        }),
        range: Some(range),
    }
}

fn contains(span: &Span, byte: usize) -> bool {
    span.start_byte <= byte && byte < span.end_byte
}

fn line_number(doc: &Document, source_file: Option<&std::path::Path>, span: &Span) -> String {
    match source_file {
        None => (doc.position(span.start_byte, PositionEncoding::Utf8).line + 1).to_string(),
        Some(path) => format!(
            "{}:{}",
            path.file_name().map_or_else(
                || path.display().to_string(),
                |n| n.to_string_lossy().into_owned()
            ),
            span.start.row + 1
        ),
    }
}

fn status_words(status: Status) -> &'static str {
    match status {
        Status::Undeclared => "not declared",
        Status::PartiallyDeclared => "partially declared",
        Status::Declared => "declared",
    }
}

fn code_list(categories: &[String]) -> String {
    categories
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

// ---------------------------------------------------------------------------
// Tag keys
// ---------------------------------------------------------------------------

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '@')
}

/// The word under the cursor on a tag comment line, with its explanation.
fn tag_key_hover(
    doc: &Document,
    line: usize,
    byte: usize,
    encoding: PositionEncoding,
) -> Option<Hover> {
    let text = doc.line_text(line);
    let marker_at = TAG_MARKERS.iter().filter_map(|m| text.find(m)).min()?;
    let comment = doc
        .language()
        .map_or("#", crate::language::Language::line_comment);
    let comment_at = text[..marker_at].rfind(comment)?;
    let line_start = doc.line_start_byte(line);
    let column = byte.checked_sub(line_start)?;
    if column <= comment_at || column > text.len() {
        return None;
    }
    let start = text[..column]
        .char_indices()
        .rev()
        .take_while(|(_, c)| is_word_char(*c))
        .last()
        .map_or(column, |(i, _)| i);
    let end = text[column..]
        .char_indices()
        .find(|(_, c)| !is_word_char(*c))
        .map_or(text.len(), |(i, _)| column + i);
    let word = text[start..end].trim_end_matches(['.', '-']);
    if word.is_empty() {
        return None;
    }
    let explanation = explain_word(word)?;
    let range = lsp::Range::new(
        convert::position(doc, line_start + start, encoding),
        convert::position(doc, line_start + start + word.len(), encoding),
    );
    Some(markdown(explanation, range))
}

/// What a tag word means: a tag, attribute, data use, category, basis, …
fn explain_word(word: &str) -> Option<String> {
    let bare = word.trim_start_matches('@');
    for key in [word, bare] {
        if let Some(text) = base::tag_key_explanation(key) {
            return Some(text);
        }
    }
    if let Some(text) = tag_explanation(word) {
        return Some(text);
    }
    if let Some(text) = base::category_explanation(bare) {
        return Some(text);
    }
    let knowledge = knowledge::get();
    if let Some(entry) = knowledge.taxonomy.category(bare) {
        return Some(format!(
            "**`{}`** — data category: {}\n\n{}",
            entry.key, entry.name, entry.description
        ));
    }
    if let Some(entry) = knowledge.taxonomy.data_use(bare) {
        return Some(format!(
            "**`{}`** — data use: {}\n\n{}",
            entry.key, entry.name, entry.description
        ));
    }
    if let Some(entry) = knowledge.taxonomy.data_subject(bare) {
        return Some(format!(
            "**`{}`** — data subject: {}\n\n{}",
            entry.key, entry.name, entry.description
        ));
    }
    None
}

/// The tags themselves, until the knowledge base explains them (it is
/// asked first, through `tag_key_explanation`).
fn tag_explanation(word: &str) -> Option<String> {
    let (syntax, text) = match word {
        "@data-use" => (
            "@data-use <use> [data=<category>,…] [subject=…] [basis=…] [safeguards=…] [retention=…] [ref=…]",
            "Declares why the AI call below (or on this line) receives personal data. A flow whose tag covers every detected category is recorded as declared; categories the tag does not name are still reported.",
        ),
        "@personal-data" => (
            "@personal-data <category>,… [subject=…]",
            "Marks what is defined below (assignment, parameter, field, function) as personal data of these categories, for what names cannot reveal.",
        ),
        "@not-personal-data" => (
            "@not-personal-data",
            "Marks what is defined below as not personal data: a visible, reviewable way to silence a false positive.",
        ),
        "@sanitizer" => (
            "@sanitizer [<category>,…]",
            "The function below removes these categories (all, if none are named) from its result.",
        ),
        "@ai-sink" => (
            "@ai-sink <kind>",
            "Calling the function below is an AI call of this kind (for in-house model wrappers).",
        ),
        _ => return None,
    };
    Some(format!(
        "**`{word}`**: data-use tag\n\n`{syntax}`\n\n{text}"
    ))
}

// ---------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------

fn source_hover(analysed: &Analysed, byte: usize, encoding: PositionEncoding) -> Option<Hover> {
    let doc = &analysed.doc;
    // The smallest source span under the cursor, in this file.
    let span = analysed
        .findings
        .iter()
        .flat_map(|f| f.sources.iter())
        .filter(|s| s.file.is_none() && contains(&s.span, byte))
        .map(|s| s.span)
        .min_by_key(|span| span.end_byte - span.start_byte)?;
    let mut sources: Vec<&SourceRef> = Vec::new();
    let mut reached: Vec<&Finding> = Vec::new();
    for finding in &analysed.findings {
        let mut hit = false;
        for source in &finding.sources {
            if source.file.is_none() && source.span == span {
                hit = true;
                if !sources.iter().any(|s| s.category == source.category) {
                    sources.push(source);
                }
            }
        }
        if hit && !reached.iter().any(|f| f.span == finding.span) {
            reached.push(finding);
        }
    }
    let first = sources.first()?;
    let mut categories: Vec<String> = sources.iter().map(|s| s.category.clone()).collect();
    categories.sort();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "**`{}` is personal data**: {}",
        first.evidence,
        code_list(&categories)
    );
    out.push('\n');
    for source in &sources {
        let name = knowledge::get()
            .taxonomy
            .category(&source.category)
            .map_or(String::new(), |entry| format!(" ({})", entry.name));
        let _ = writeln!(
            out,
            "- classified as `{}`{name} from `{}`",
            source.category, source.evidence
        );
    }
    for source in &sources {
        if let Some(text) = base::category_explanation(&source.category) {
            let _ = write!(out, "\n{}\n", text.trim_end());
        }
    }
    if !reached.is_empty() {
        let _ = write!(out, "\n**Reaches**\n");
        for finding in &reached {
            let line = line_number(doc, None, &finding.span);
            match &finding.sink {
                Some(sink) => {
                    let _ = writeln!(
                        out,
                        "- line {line}: `{}` — {} ({})",
                        sink.api,
                        sink.kind.describe(),
                        status_words(finding.status)
                    );
                }
                None => {
                    let _ = writeln!(out, "- line {line}: {}", finding.message);
                }
            }
        }
    }
    Some(markdown(out, convert::range(doc, &span, encoding)))
}

// ---------------------------------------------------------------------------
// AI calls
// ---------------------------------------------------------------------------

fn call_hover(analysed: &Analysed, byte: usize, encoding: PositionEncoding) -> Option<Hover> {
    let doc = &analysed.doc;
    let span = analysed
        .findings
        .iter()
        .filter(|f| f.sink.is_some() && contains(&f.span, byte))
        .map(|f| f.span)
        .min_by_key(|span| span.end_byte - span.start_byte)?;
    let on_call: Vec<&Finding> = analysed
        .findings
        .iter()
        .filter(|f| f.sink.is_some() && f.span == span)
        .collect();
    let primary = on_call[0];
    let sink = primary.sink.as_ref()?;
    let mut categories: Vec<String> = on_call
        .iter()
        .flat_map(|f| f.categories.iter().cloned())
        .collect();
    categories.sort();
    categories.dedup();
    let status = on_call
        .iter()
        .map(|f| f.status)
        .find(|s| *s != Status::Declared)
        .unwrap_or(Status::Declared);

    let mut out = String::new();
    let _ = writeln!(
        out,
        "**{} → `{}`** ({}, {}) · {}",
        code_list(&categories),
        sink.api,
        sink.provider,
        sink.kind.as_str(),
        status_words(status)
    );

    let mut sources: Vec<&SourceRef> = Vec::new();
    for source in on_call.iter().flat_map(|f| f.sources.iter()) {
        if !sources.iter().any(|s| {
            s.span == source.span && s.category == source.category && s.file == source.file
        }) {
            sources.push(source);
        }
    }
    sources.sort_by_key(|s| (s.file.is_some(), s.span.start_byte));
    if !sources.is_empty() {
        let _ = write!(out, "\n**Sources**\n");
        for source in sources.iter().take(MAX_SOURCES) {
            let _ = writeln!(
                out,
                "- line {}: `{}` → `{}`",
                line_number(doc, source.file.as_deref(), &source.span),
                source.evidence,
                source.category
            );
        }
        if sources.len() > MAX_SOURCES {
            let _ = writeln!(out, "- … and {} more", sources.len() - MAX_SOURCES);
        }
    }

    let explanation = base::flow_explanation(sink.kind, &categories, &sink.provider);
    if !explanation.trim().is_empty() {
        let _ = write!(out, "\n{}\n", explanation.trim_end());
    }

    let _ = write!(out, "\n**Data-use tag**: ");
    match on_call.iter().find_map(|f| f.tag.as_ref()) {
        None => {
            let _ = writeln!(
                out,
                "none — the “Add data-use tag” quick fix declares this flow."
            );
        }
        Some(tag) => {
            let mut written = format!("`@data-use {}", tag.data_use);
            if !tag.data.is_empty() {
                let _ = write!(written, " data={}", tag.data.join(","));
            }
            if let Some(basis) = &tag.basis {
                let _ = write!(written, " basis={basis}");
            }
            written.push('`');
            let missing: Vec<String> = categories
                .iter()
                .filter(|c| {
                    !tag.data
                        .iter()
                        .any(|declared| knowledge::key_has_prefix(c, declared))
                })
                .cloned()
                .collect();
            if missing.is_empty() {
                let _ = writeln!(out, "{written} declares every category.");
            } else {
                let _ = writeln!(out, "{written} does not declare {}.", code_list(&missing));
            }
        }
    }

    let rules: Vec<String> = on_call
        .iter()
        .map(|f| format!("`{}` {}", f.code, f.rule))
        .collect();
    let _ = write!(out, "\n{}\n", rules.join(" · "));
    Some(markdown(out, convert::range(doc, &span, encoding)))
}

/// Any other finding under the cursor (tag findings): its message and rule.
fn finding_hover(analysed: &Analysed, byte: usize, encoding: PositionEncoding) -> Option<Hover> {
    let finding = analysed
        .findings
        .iter()
        .filter(|f| contains(&f.span, byte))
        .min_by_key(|f| f.span.end_byte - f.span.start_byte)?;
    let mut out = format!(
        "**{}** — `{}` {}\n",
        finding.message, finding.code, finding.rule
    );
    if let Some(rule) = convert::rule_of(finding) {
        let _ = write!(out, "\n{}\n", rule.summary);
    }
    Some(markdown(
        out,
        convert::range(&analysed.doc, &finding.span, encoding),
    ))
}
