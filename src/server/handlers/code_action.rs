//! `textDocument/codeAction`: the analysis' precomputed fixes as quick
//! fixes, plus the `source` action tagging every undeclared flow of the
//! file. Findings come from the diagnostics' `data` (same version) or from
//! overlapping the requested range; nothing is re-analysed when the
//! document has not changed since the diagnostics.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    self as lsp, CodeActionKind, CodeActionOrCommand, CodeActionParams, CodeActionResponse,
    Diagnostic, Uri,
};

use super::diagnostics;
use crate::finding::Span;
use crate::server::convert::{self, DiagnosticData, EditStyle, TAG_ALL_KIND};
use crate::server::{Analysed, Backend, guarded};

pub async fn code_action(
    backend: &Backend,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri.clone();
    let Some(analysed) = diagnostics::current_analysis(backend, &uri).await else {
        return Ok(None);
    };
    let flags = backend.flags();
    let style = EditStyle {
        encoding: flags.encoding,
        document_changes: flags.document_changes,
    };
    let actions = guarded("code action", || compute(&analysed, &uri, &params, style))?;
    Ok((!actions.is_empty()).then_some(actions))
}

fn overlaps(span: &Span, start: usize, end: usize) -> bool {
    if start == end {
        span.start_byte <= start && start <= span.end_byte
    } else {
        span.start_byte < end && start < span.end_byte
    }
}

pub(crate) fn compute(
    analysed: &Analysed,
    uri: &Uri,
    params: &CodeActionParams,
    style: EditStyle,
) -> Vec<CodeActionOrCommand> {
    let doc = &analysed.doc;
    let only = params.context.only.as_deref();
    let (start, end, _) = convert::byte_range(doc, params.range, style.encoding);

    // (finding index, the client's diagnostic for it)
    let mut wanted: Vec<(usize, Option<Diagnostic>)> = Vec::new();
    for diagnostic in &params.context.diagnostics {
        if let Some(data) = DiagnosticData::from_diagnostic(diagnostic)
            && data.version == doc.version()
            && data.index < analysed.findings.len()
            && !wanted.iter().any(|(i, _)| *i == data.index)
        {
            wanted.push((data.index, Some(diagnostic.clone())));
        }
    }
    for (index, finding) in analysed.findings.iter().enumerate() {
        if overlaps(&finding.span, start, end) && !wanted.iter().any(|(i, _)| *i == index) {
            wanted.push((index, None));
        }
    }
    wanted.sort_by_key(|(i, _)| *i);

    let mut actions: Vec<lsp::CodeAction> = Vec::new();
    if convert::kind_requested(&CodeActionKind::QUICKFIX, only) {
        let mut positions = None;
        for (index, diagnostic) in wanted {
            let finding = &analysed.findings[index];
            let diagnostic = diagnostic.unwrap_or_else(|| {
                let positions = positions.get_or_insert_with(|| doc.positions());
                convert::diagnostic(finding, index, positions, uri, style.encoding)
            });
            for fix in &finding.fixes {
                let action = convert::quick_fix(fix, Some(diagnostic.clone()), uri, doc, style);
                // Two findings on one call share their fixes: offer each once.
                if let Some(existing) = actions
                    .iter_mut()
                    .find(|a| a.title == action.title && a.edit == action.edit)
                {
                    if let (Some(all), Some(more)) = (&mut existing.diagnostics, action.diagnostics)
                    {
                        all.extend(more);
                    }
                    continue;
                }
                actions.push(action);
            }
        }
    }
    // Preferred fixes first: clients that auto-apply take the first.
    actions.sort_by_key(|a| a.is_preferred != Some(true));
    if convert::kind_requested(&TAG_ALL_KIND, only)
        && let Some(action) = convert::tag_all(&analysed.findings, uri, doc, style)
    {
        actions.push(action);
    }
    actions
        .into_iter()
        .map(CodeActionOrCommand::CodeAction)
        .collect()
}
