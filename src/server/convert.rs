//! Core types ⇄ LSP types. The only place that knows both: the analysis
//! works in byte spans, the protocol in (line, character) positions in the
//! negotiated encoding, and [`Document`] converts exactly between the two.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use serde::{Deserialize, Serialize};
use tower_lsp_server::ls_types::{
    self as lsp, CodeAction, CodeActionKind, CodeDescription, Diagnostic,
    DiagnosticRelatedInformation, DiagnosticSeverity, DocumentChanges, Location, NumberOrString,
    OneOf, OptionalVersionedTextDocumentIdentifier, PositionEncodingKind, TextDocumentEdit, Uri,
    WorkspaceEdit,
};

use crate::document::{Document, LineCol, Offset, PositionEncoding, Positions};
use crate::finding::{Finding, Fix, FixKind, Severity, Span, Status, TextEdit};
use crate::rules;

/// The `source` shown on every diagnostic.
pub const SOURCE: &str = "privacy-lens";

/// The kind of the "Tag all AI data uses in this file" action.
pub const TAG_ALL_KIND: CodeActionKind = CodeActionKind::new("source.privacy-lens.tagAll");

/// Picks the best encoding the client offers: UTF-8 (no conversion), then
/// UTF-32, then the mandatory UTF-16.
pub fn negotiate_encoding(offered: Option<&[PositionEncodingKind]>) -> PositionEncoding {
    let offered = offered.unwrap_or_default();
    if offered.contains(&PositionEncodingKind::UTF8) {
        PositionEncoding::Utf8
    } else if offered.contains(&PositionEncodingKind::UTF32) {
        PositionEncoding::Utf32
    } else {
        PositionEncoding::Utf16
    }
}

pub fn encoding_kind(encoding: PositionEncoding) -> PositionEncodingKind {
    match encoding {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
        PositionEncoding::Utf32 => PositionEncodingKind::UTF32,
    }
}

pub fn line_col(position: lsp::Position) -> LineCol {
    LineCol::new(position.line, position.character)
}

pub fn position(doc: &Document, byte: usize, encoding: PositionEncoding) -> lsp::Position {
    let LineCol { line, character } = doc.position(byte, encoding);
    lsp::Position::new(line, character)
}

pub fn offset(doc: &Document, position: lsp::Position, encoding: PositionEncoding) -> Offset {
    doc.offset(line_col(position), encoding)
}

/// The LSP range of a byte span of `doc`'s text.
pub fn range(doc: &Document, span: &Span, encoding: PositionEncoding) -> lsp::Range {
    lsp::Range::new(
        position(doc, span.start_byte, encoding),
        position(doc, span.end_byte, encoding),
    )
}

/// A range of the document converted to byte offsets (start ≤ end).
pub fn byte_range(
    doc: &Document,
    range: lsp::Range,
    encoding: PositionEncoding,
) -> (usize, usize, bool) {
    let start = offset(doc, range.start, encoding);
    let end = offset(doc, range.end, encoding);
    let clamped = start.clamped || end.clamped;
    (start.byte.min(end.byte), start.byte.max(end.byte), clamped)
}

/// The published severity. Declared flows are recorded, not problems: they
/// become hints (shown faintly, never in a warning count).
pub fn severity(finding: &Finding) -> DiagnosticSeverity {
    if finding.status == Status::Declared {
        return DiagnosticSeverity::HINT;
    }
    match finding.severity {
        Severity::Hint => DiagnosticSeverity::HINT,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Error => DiagnosticSeverity::ERROR,
    }
}

/// What a diagnostic carries for code actions: which finding of which
/// analysed version it is, so a code action request finds the finding's
/// precomputed fixes without analysing again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DiagnosticData {
    pub version: i32,
    pub index: usize,
}

impl DiagnosticData {
    pub fn from_diagnostic(diagnostic: &Diagnostic) -> Option<DiagnosticData> {
        if diagnostic.source.as_deref() != Some(SOURCE) {
            return None;
        }
        serde_json::from_value(diagnostic.data.clone()?).ok()
    }
}

/// The LSP range of a byte span, through a converter of many positions.
fn batch_range(positions: &Positions, span: &Span, encoding: PositionEncoding) -> lsp::Range {
    let at = |byte| {
        let LineCol { line, character } = positions.position(byte, encoding);
        lsp::Position::new(line, character)
    };
    lsp::Range::new(at(span.start_byte), at(span.end_byte))
}

/// The diagnostic of finding `index` of an analysis of the document of
/// `positions` (its version goes into the diagnostic's data).
pub fn diagnostic(
    finding: &Finding,
    index: usize,
    positions: &Positions,
    uri: &Uri,
    encoding: PositionEncoding,
) -> Diagnostic {
    let doc = positions.doc();
    let related: Vec<DiagnosticRelatedInformation> = finding
        .flow
        .iter()
        .filter_map(|step| {
            let location = match &step.file {
                None => Location::new(uri.clone(), batch_range(positions, &step.span, encoding)),
                // Another file: its text is not at hand, so its columns are
                // the analysis' byte columns (exact for ASCII lines).
                Some(path) => Location::new(file_uri(path)?, point_range(&step.span)),
            };
            Some(DiagnosticRelatedInformation {
                location,
                message: step.note.clone(),
            })
        })
        .collect();
    Diagnostic {
        range: batch_range(positions, &finding.span, encoding),
        severity: Some(severity(finding)),
        code: Some(NumberOrString::String(finding.code.to_string())),
        code_description: rule_doc_uri(finding.code).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message: diagnostic_message(finding),
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: serde_json::to_value(DiagnosticData {
            version: doc.version(),
            index,
        })
        .ok(),
    }
}

fn diagnostic_message(finding: &Finding) -> String {
    match finding.status {
        Status::Declared => format!("{} (declared by its data-use tag)", finding.message),
        Status::PartiallyDeclared | Status::Undeclared => finding.message.clone(),
    }
}

fn point_range(span: &Span) -> lsp::Range {
    let to_u32 = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
    lsp::Range::new(
        lsp::Position::new(to_u32(span.start.row), to_u32(span.start.column)),
        lsp::Position::new(to_u32(span.end.row), to_u32(span.end.column)),
    )
}

pub fn file_uri(path: &Path) -> Option<Uri> {
    Uri::from_file_path(path)
}

/// Where the rule pages are installed, if anywhere: `share/privacy-lens/rules`
/// next to the binary's `bin/` (an installed layout), else the source
/// checkout the binary was built from. There is no website to link to, so
/// when neither exists diagnostics carry no `codeDescription` (the hover and
/// `privacy-lens explain CODE` show the same page).
static RULE_DOCS_DIR: LazyLock<Option<PathBuf>> = LazyLock::new(|| {
    let installed = std::env::current_exe().ok().and_then(|exe| {
        let prefix = exe.parent()?.parent()?;
        Some(prefix.join("share").join("privacy-lens").join("rules"))
    });
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src")
        .join("rules")
        .join("docs");
    [installed, Some(checkout)]
        .into_iter()
        .flatten()
        .find(|dir| dir.join("PL101.md").is_file())
});

/// The documentation URI of every rule whose page is installed.
static RULE_DOC_URIS: LazyLock<HashMap<&'static str, Uri>> = LazyLock::new(|| {
    let Some(dir) = RULE_DOCS_DIR.as_ref() else {
        return HashMap::new();
    };
    rules::ALL
        .iter()
        .filter_map(|rule| {
            let path = dir.join(format!("{}.md", rule.code));
            let uri = path.is_file().then(|| file_uri(&path)).flatten()?;
            Some((rule.code, uri))
        })
        .collect()
});

/// A `file://` URI to the rule's documentation page, when installed.
pub fn rule_doc_uri(code: &str) -> Option<Uri> {
    RULE_DOC_URIS.get(code).cloned()
}

/// The LSP edits of a fix, in document order.
pub fn text_edits(
    edits: &[TextEdit],
    doc: &Document,
    encoding: PositionEncoding,
) -> Vec<lsp::TextEdit> {
    let mut edits: Vec<&TextEdit> = edits.iter().collect();
    edits.sort_by_key(|edit| (edit.span.start_byte, edit.span.end_byte));
    edits
        .into_iter()
        .map(|edit| lsp::TextEdit::new(range(doc, &edit.span, encoding), edit.new_text.clone()))
        .collect()
}

/// A workspace edit on one document, tied to its version when the client
/// supports `documentChanges` (it then refuses to apply it to a newer text).
pub fn workspace_edit(
    uri: &Uri,
    doc: &Document,
    edits: Vec<lsp::TextEdit>,
    document_changes: bool,
) -> WorkspaceEdit {
    if document_changes {
        WorkspaceEdit {
            document_changes: Some(DocumentChanges::Edits(vec![TextDocumentEdit {
                text_document: OptionalVersionedTextDocumentIdentifier {
                    uri: uri.clone(),
                    version: Some(doc.version()),
                },
                edits: edits.into_iter().map(OneOf::Left).collect(),
            }])),
            ..WorkspaceEdit::default()
        }
    } else {
        WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        }
    }
}

/// How the client wants workspace edits.
#[derive(Debug, Clone, Copy, Default)]
pub struct EditStyle {
    pub encoding: PositionEncoding,
    pub document_changes: bool,
}

/// The quick fix for one fix of a finding.
pub fn quick_fix(
    fix: &Fix,
    diagnostic: Option<Diagnostic>,
    uri: &Uri,
    doc: &Document,
    style: EditStyle,
) -> CodeAction {
    let edits = text_edits(&fix.edits, doc, style.encoding);
    CodeAction {
        title: fix_title(fix),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: diagnostic.map(|d| vec![d]),
        edit: Some(workspace_edit(uri, doc, edits, style.document_changes)),
        is_preferred: fix.preferred.then_some(true),
        ..CodeAction::default()
    }
}

/// The fix's own title; a generic one when the analysis left it empty.
fn fix_title(fix: &Fix) -> String {
    if !fix.title.trim().is_empty() {
        return fix.title.clone();
    }
    match fix.kind {
        FixKind::AddTag => "Add data-use tag".into(),
        FixKind::DeclareMissing => "Declare the missing categories in the data-use tag".into(),
        FixKind::ReplaceKey => "Replace the unknown key".into(),
        FixKind::NotPersonalData => "Mark as not personal data".into(),
    }
}

/// The `source` action tagging every undeclared flow of the file: the
/// preferred `AddTag` fix of each, skipping fixes that would overlap (two
/// calls in one statement get one tag) — `None` when nothing is left.
pub fn tag_all(
    findings: &[Finding],
    uri: &Uri,
    doc: &Document,
    style: EditStyle,
) -> Option<CodeAction> {
    let mut chosen: Vec<&TextEdit> = Vec::new();
    let mut n_findings = 0;
    for finding in findings {
        if finding.status == Status::Declared || finding.sink.is_none() {
            continue;
        }
        let mut add_tags = finding.fixes.iter().filter(|f| f.kind == FixKind::AddTag);
        let Some(fix) = add_tags
            .clone()
            .find(|f| f.preferred)
            .or_else(|| add_tags.next())
        else {
            continue;
        };
        let overlaps = fix.edits.iter().any(|edit| {
            chosen.iter().any(|other| {
                edit.span.start_byte < other.span.end_byte.max(other.span.start_byte + 1)
                    && other.span.start_byte < edit.span.end_byte.max(edit.span.start_byte + 1)
            })
        });
        if overlaps {
            continue;
        }
        chosen.extend(fix.edits.iter());
        n_findings += 1;
    }
    if chosen.is_empty() {
        return None;
    }
    let owned: Vec<TextEdit> = chosen.into_iter().cloned().collect();
    let edits = text_edits(&owned, doc, style.encoding);
    Some(CodeAction {
        title: format!(
            "Tag all AI data uses in this file ({n_findings} call{})",
            if n_findings == 1 { "" } else { "s" }
        ),
        kind: Some(TAG_ALL_KIND),
        edit: Some(workspace_edit(uri, doc, edits, style.document_changes)),
        ..CodeAction::default()
    })
}

/// Whether a code action of `kind` passes the request's `only` filter
/// (a filter entry matches its sub-kinds: `source` matches `source.x`).
pub fn kind_requested(kind: &CodeActionKind, only: Option<&[CodeActionKind]>) -> bool {
    let Some(only) = only else { return true };
    only.iter().any(|wanted| {
        let wanted = wanted.as_str();
        let kind = kind.as_str();
        wanted.is_empty()
            || kind == wanted
            || (kind.starts_with(wanted) && kind[wanted.len()..].starts_with('.'))
    })
}

/// The rule page of a finding's code, for hovers.
pub fn rule_of(finding: &Finding) -> Option<&'static rules::Rule> {
    rules::find(finding.code)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{FlowStep, Point, Sink, SinkKind, SourceRef};

    const TEXT: &str =
        "import openai\nnom = \"é😀\"; r = openai.chat.completions.create(messages=user.email)\n";

    fn span(text: &str, needle: &str) -> Span {
        let start = text.find(needle).unwrap();
        let end = start + needle.len();
        let point = |byte: usize| {
            let before = &text[..byte];
            Point {
                row: before.matches('\n').count(),
                column: byte - before.rfind('\n').map_or(0, |i| i + 1),
            }
        };
        Span {
            start_byte: start,
            end_byte: end,
            start: point(start),
            end: point(end),
        }
    }

    fn finding(status: Status) -> Finding {
        let call = span(TEXT, "openai.chat.completions.create(messages=user.email)");
        let source = span(TEXT, "user.email");
        let line_start = span(TEXT, "nom");
        let insert = Span {
            start_byte: line_start.start_byte,
            end_byte: line_start.start_byte,
            start: line_start.start,
            end: line_start.start,
        };
        Finding {
            code: "PL101",
            rule: "personal-data-to-llm",
            severity: Severity::Warning,
            message: "Personal data is sent to a hosted LLM".into(),
            span: call,
            sink: Some(Sink {
                kind: SinkKind::LlmInference,
                api: "openai.chat.completions.create".into(),
                provider: "OpenAI".into(),
            }),
            categories: vec!["user.contact.email".into()],
            sources: vec![SourceRef {
                file: None,
                span: source,
                category: "user.contact.email".into(),
                evidence: "user.email".into(),
            }],
            flow: vec![
                FlowStep {
                    file: None,
                    span: source,
                    note: "`user.email` is user.contact.email".into(),
                },
                FlowStep {
                    file: None,
                    span: call,
                    note: "sent to `openai.chat.completions.create`".into(),
                },
            ],
            tag: None,
            status,
            fixes: vec![
                Fix {
                    title: "Add data-use tag (essential.service)".into(),
                    kind: FixKind::AddTag,
                    preferred: true,
                    edits: vec![TextEdit {
                        span: insert,
                        new_text: "# @data-use essential.service data=user.contact.email\n".into(),
                    }],
                },
                Fix {
                    title: "Mark `user.email` as not personal data".into(),
                    kind: FixKind::NotPersonalData,
                    preferred: false,
                    edits: vec![TextEdit {
                        span: insert,
                        new_text: "# @not-personal-data\n".into(),
                    }],
                },
            ],
        }
    }

    fn uri() -> Uri {
        "file:///tmp/app.py".parse().unwrap()
    }

    #[test]
    fn diagnostic_ranges_use_the_negotiated_encoding() {
        let doc = Document::new(TEXT, 7, None);
        let finding = finding(Status::Undeclared);
        let utf16 = diagnostic(
            &finding,
            3,
            &doc.positions(),
            &uri(),
            PositionEncoding::Utf16,
        );
        // `nom = "é😀"; r = ` is 17 UTF-16 units and 20 bytes.
        assert_eq!(utf16.range.start, lsp::Position::new(1, 17));
        let utf8 = diagnostic(
            &finding,
            3,
            &doc.positions(),
            &uri(),
            PositionEncoding::Utf8,
        );
        assert_eq!(utf8.range.start, lsp::Position::new(1, 20));
        assert_eq!(utf16.severity, Some(DiagnosticSeverity::WARNING));
        assert_eq!(utf16.source.as_deref(), Some(SOURCE));
        assert_eq!(
            utf16.code,
            Some(NumberOrString::String("PL101".to_string()))
        );
        let related = utf16.related_information.as_ref().unwrap();
        assert_eq!(related.len(), 2);
        assert_eq!(related[0].location.uri, uri());
        assert_eq!(
            DiagnosticData::from_diagnostic(&utf16),
            Some(DiagnosticData {
                version: 7,
                index: 3
            })
        );
        if let Some(description) = &utf16.code_description {
            assert!(description.href.as_str().starts_with("file://"));
            assert!(description.href.as_str().ends_with("/PL101.md"));
        }
    }

    #[test]
    fn declared_flows_are_hints() {
        let doc = Document::new(TEXT, 1, None);
        let d = diagnostic(
            &finding(Status::Declared),
            0,
            &doc.positions(),
            &uri(),
            PositionEncoding::Utf16,
        );
        assert_eq!(d.severity, Some(DiagnosticSeverity::HINT));
    }

    #[test]
    fn fixes_become_versioned_quick_fixes() {
        let doc = Document::new(TEXT, 4, None);
        let finding = finding(Status::Undeclared);
        let style = EditStyle {
            encoding: PositionEncoding::Utf16,
            document_changes: true,
        };
        let action = quick_fix(&finding.fixes[0], None, &uri(), &doc, style);
        assert_eq!(action.title, "Add data-use tag (essential.service)");
        assert_eq!(action.kind, Some(CodeActionKind::QUICKFIX));
        assert_eq!(action.is_preferred, Some(true));
        let Some(DocumentChanges::Edits(edits)) = action.edit.unwrap().document_changes else {
            panic!("expected document changes");
        };
        assert_eq!(edits[0].text_document.version, Some(4));
        let OneOf::Left(edit) = &edits[0].edits[0] else {
            panic!("plain edit expected")
        };
        assert_eq!(
            edit.range,
            lsp::Range::new(lsp::Position::new(1, 0), lsp::Position::new(1, 0))
        );

        let plain = quick_fix(
            &finding.fixes[1],
            None,
            &uri(),
            &doc,
            EditStyle {
                document_changes: false,
                ..style
            },
        );
        assert_eq!(plain.is_preferred, None);
        let changes = plain.edit.unwrap().changes.unwrap();
        assert_eq!(changes[&uri()][0].new_text, "# @not-personal-data\n");
    }

    #[test]
    fn tag_all_takes_one_preferred_tag_per_statement() {
        let doc = Document::new(TEXT, 1, None);
        let findings = vec![
            finding(Status::Undeclared),
            finding(Status::Undeclared),
            finding(Status::Declared),
        ];
        let style = EditStyle {
            encoding: PositionEncoding::Utf16,
            document_changes: false,
        };
        let action = tag_all(&findings, &uri(), &doc, style).unwrap();
        assert_eq!(action.kind, Some(TAG_ALL_KIND));
        let changes = action.edit.unwrap().changes.unwrap();
        assert_eq!(changes[&uri()].len(), 1);
        assert!(changes[&uri()][0].new_text.starts_with("# @data-use"));
        assert!(tag_all(&findings[2..], &uri(), &doc, style).is_none());
    }

    #[test]
    fn only_filters_by_kind_prefix() {
        let source = [CodeActionKind::SOURCE];
        assert!(kind_requested(&TAG_ALL_KIND, Some(&source)));
        assert!(!kind_requested(&CodeActionKind::QUICKFIX, Some(&source)));
        assert!(kind_requested(&CodeActionKind::QUICKFIX, None));
        let quick = [CodeActionKind::new("quick")];
        assert!(!kind_requested(&CodeActionKind::QUICKFIX, Some(&quick)));
    }

    #[test]
    fn encodings_are_negotiated_best_first() {
        use PositionEncodingKind as K;
        assert_eq!(negotiate_encoding(None), PositionEncoding::Utf16);
        assert_eq!(
            negotiate_encoding(Some(&[K::UTF16, K::UTF8])),
            PositionEncoding::Utf8
        );
        assert_eq!(
            negotiate_encoding(Some(&[K::UTF32, K::UTF16])),
            PositionEncoding::Utf32
        );
    }
}
