//! Diagnostics: debounced after edits, analysed on the blocking pool with
//! the document's (incrementally reparsed) tree, published only while the
//! analysed version is still the document's version.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use tower_lsp_server::ls_types::{
    Diagnostic, DiagnosticSeverity, MessageType, Position, PublishDiagnosticsParams, Range, Uri,
};

use super::configuration;
use crate::analysis::AnalysisOptions;
use crate::analysis::incremental::{self, Snapshot};
use crate::analysis::summary::NoModules;
use crate::config::{self, Config};
use crate::document::Document;
use crate::finding::{AnalysisNote, FileAnalysis};
use crate::workspace::{IndexChange, Workspace};
use std::path::Path;
use tokio::sync::{OnceCell, Semaphore};

use crate::server::{Analysed, Backend, Flight, MAX_DOCUMENT_SIZE, convert, panic_message};

/// Analyses running at once (on the blocking pool). Bounded so that rapid
/// edits across many documents cannot start a thread per stale version:
/// each thread also keeps its own caches (parsers, regex lazy-DFA caches),
/// which the soak test saw accumulate when this was unbounded.
static ANALYSIS_SLOTS: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Arc::new(Semaphore::new(cores.clamp(1, 8)))
});

/// Time budget for one document's flow analysis in the editor.
const EDITOR_TIME_LIMIT: Duration = Duration::from_secs(2);

/// Publishes diagnostics for `uri` after `delay`, replacing any wait
/// already scheduled for it.
pub fn schedule(backend: &Backend, uri: Uri, delay: Duration) {
    let task_backend = backend.clone();
    let task_uri = uri.clone();
    let task = tokio::spawn(async move {
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        publish(&task_backend, &task_uri).await;
    });
    if let Some(previous) = backend.session().pending.insert(uri, task.abort_handle()) {
        previous.abort();
    }
}

/// Re-publishes every open document (after a configuration change).
pub fn schedule_all(backend: &Backend) {
    let uris: Vec<Uri> = backend
        .session()
        .documents
        .iter()
        .map(|entry| entry.key().clone())
        .collect();
    for uri in uris {
        schedule(backend, uri, Duration::ZERO);
    }
}

async fn publish(backend: &Backend, uri: &Uri) {
    let Some(analysed) = current_analysis(backend, uri).await else {
        return;
    };
    let version = analysed.doc.version();
    let current = backend
        .session()
        .documents
        .get(uri)
        .map(|doc| (doc.version(), doc.same_snapshot(&analysed.doc)));
    if current.is_none_or(|(_, same)| !same) {
        tracing::debug!(
            uri = uri.as_str(),
            version,
            current = ?current.map(|(version, _)| version),
            "dropping diagnostics of a stale version"
        );
        return;
    }
    let encoding = backend.encoding();
    let converting = Instant::now();
    let positions = analysed.doc.positions();
    let diagnostics: Vec<_> = analysed
        .findings
        .iter()
        .enumerate()
        .map(|(index, finding)| convert::diagnostic(finding, index, &positions, uri, encoding))
        .chain(analysed.notes.iter().map(note_diagnostic))
        .collect();
    tracing::trace!(
        n = diagnostics.len(),
        convert_us = converting.elapsed().as_micros() as u64,
        "publishing diagnostics"
    );
    let params = PublishDiagnosticsParams::new(uri.clone(), diagnostics, Some(version));
    // Straight to bytes when serving a stream (see `server::outbox`).
    if let Some(outbox) = backend.outbox()
        && outbox.notify("textDocument/publishDiagnostics", &params)
    {
        return;
    }
    backend
        .client()
        .publish_diagnostics(params.uri, params.diagnostics, params.version)
        .await;
}

/// A note about the analysis itself (a size, time or depth limit was hit,
/// the parser gave up), shown as an information diagnostic on the first
/// line so a partial or skipped analysis is never silent.
fn note_diagnostic(note: &AnalysisNote) -> Diagnostic {
    let start = Position::new(0, 0);
    Diagnostic {
        range: Range::new(start, start),
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some("privacy-lens".to_string()),
        message: format!("privacy-lens: {}", note.message),
        ..Diagnostic::default()
    }
}

/// The analysis of the document's current version, computing it if needed
/// (hovers and code actions call this too, so they never see findings of an
/// older text). `None` for unknown documents or when the analysis failed.
pub(crate) async fn current_analysis(backend: &Backend, uri: &Uri) -> Option<Arc<Analysed>> {
    let session = backend.session();
    let doc = session.documents.get(uri).map(|doc| Arc::clone(&doc))?;
    let generation = session.analysis_key();
    let cached = session
        .analyses
        .get(uri)
        .map(|analysed| Arc::clone(&analysed));
    if let Some(analysed) = cached
        && analysed.doc.same_snapshot(&doc)
        && analysed.generation == generation
    {
        return Some(analysed);
    }
    let flight = {
        let mut entry = session.inflight.entry(uri.clone()).or_insert_with(|| {
            Arc::new(Flight {
                version: doc.version(),
                revision: doc.revision(),
                generation,
                result: OnceCell::new(),
            })
        });
        if entry.version != doc.version()
            || entry.revision != doc.revision()
            || entry.generation != generation
        {
            *entry = Arc::new(Flight {
                version: doc.version(),
                revision: doc.revision(),
                generation,
                result: OnceCell::new(),
            });
        }
        Arc::clone(&entry)
    };
    // If the task computing it is cancelled, the next waiter computes it.
    flight
        .result
        .get_or_init(|| analyse(backend, uri, doc, generation))
        .await
        .clone()
}

/// Analyses a snapshot on the blocking pool and stores the result.
async fn analyse(
    backend: &Backend,
    uri: &Uri,
    doc: Arc<Document>,
    generation: u64,
) -> Option<Arc<Analysed>> {
    let session = backend.session();
    let config = configuration::effective_config(backend, uri).await;
    let task_doc = Arc::clone(&doc);
    let path = uri.to_file_path().map(|p| crate::check::normalize(&p));
    let task_path = path.clone();
    let workspace = Arc::clone(&session.workspace);
    let previous = session
        .snapshots
        .get(uri)
        .filter(|entry| entry.0 == generation)
        .map(|entry| Arc::clone(&entry.1));
    // At most one analysis per core: a burst of edits waits here (and is
    // dropped when a newer edit aborts it) instead of piling up threads.
    let slot = Arc::clone(&ANALYSIS_SLOTS).acquire_owned().await.ok()?;
    let joined = tokio::task::spawn_blocking(move || {
        let result = catch_unwind(AssertUnwindSafe(|| {
            run(
                &task_doc,
                config.as_deref(),
                &workspace,
                task_path.as_deref(),
                previous.as_deref(),
            )
        }));
        drop(slot);
        result
    })
    .await;
    let (analysis, tree, elapsed, change, snapshot) = match joined {
        Ok(Ok(result)) => result,
        Ok(Err(payload)) => {
            let reason = panic_message(payload.as_ref());
            backend
                .log(
                    MessageType::ERROR,
                    format!(
                        "analysis of {} (version {}) failed: {reason}; the server keeps running",
                        uri.as_str(),
                        doc.version()
                    ),
                )
                .await;
            return None;
        }
        Err(err) => {
            tracing::debug!(uri = uri.as_str(), "analysis task ended early: {err}");
            return None;
        }
    };
    tracing::debug!(
        uri = uri.as_str(),
        version = doc.version(),
        findings = analysis.findings.len(),
        elapsed_us = elapsed.as_micros() as u64,
        "analysed"
    );
    for note in &analysis.notes {
        tracing::info!(uri = uri.as_str(), "{}", note.message);
    }
    if let Some(snapshot) = snapshot
        && session.documents.contains_key(uri)
    {
        session
            .snapshots
            .insert(uri.clone(), (generation, Arc::new(snapshot)));
    }
    if let (Some(path), Some(change)) = (path, change)
        && (change.summary_changed || !change.targets.is_empty())
    {
        super::index::propagate(backend, path, change.targets, change.summary_changed);
    }
    // Keep the new tree for the next incremental parse, unless the document
    // moved on meanwhile (its edited old tree is then the better base).
    if let Some(tree) = tree
        && let Some(mut entry) = session.documents.get_mut(uri)
        && entry.same_snapshot(&doc)
        && !entry.has_current_tree()
    {
        let mut updated = Document::clone(&entry);
        updated.set_tree(tree);
        *entry = Arc::new(updated);
    }
    let analysed = Arc::new(Analysed {
        doc,
        findings: analysis.findings,
        notes: analysis.notes,
        generation,
    });
    if session.documents.contains_key(uri) {
        let mut entry = session
            .analyses
            .entry(uri.clone())
            .or_insert_with(|| Arc::clone(&analysed));
        // Revisions grow with every text, whatever versions the client sends.
        let newer = entry.doc.revision() < analysed.doc.revision()
            || (entry.doc.revision() == analysed.doc.revision()
                && entry.generation <= analysed.generation);
        if newer {
            *entry = Arc::clone(&analysed);
        }
    }
    Some(analysed)
}

/// Parses (incrementally) and analyses one snapshot; runs on the blocking pool.
/// `config` is `None` for files the project excludes.
type RunResult = (
    FileAnalysis,
    Option<tree_sitter::Tree>,
    Duration,
    Option<IndexChange>,
    Option<Snapshot>,
);

fn run(
    doc: &Document,
    config: Option<&Config>,
    workspace: &Workspace,
    path: Option<&Path>,
    previous: Option<&Snapshot>,
) -> RunResult {
    let started = Instant::now();
    let (Some(language), Some(config)) = (doc.language(), config) else {
        return (FileAnalysis::default(), None, started.elapsed(), None, None);
    };
    if doc.len_bytes() > MAX_DOCUMENT_SIZE {
        let note = AnalysisNote {
            message: format!(
                "not analysed: {} bytes is more than the {MAX_DOCUMENT_SIZE}-byte limit",
                doc.len_bytes()
            ),
        };
        let analysis = FileAnalysis {
            notes: vec![note],
            ..FileAnalysis::default()
        };
        return (analysis, None, started.elapsed(), None, None);
    }
    let text = doc.text();
    let incremental = !doc.has_current_tree();
    let Some(tree) = doc.parse(&text) else {
        let analysis = FileAnalysis {
            notes: vec![AnalysisNote {
                message: "the parser gave up on this file".into(),
            }],
            ..FileAnalysis::default()
        };
        return (analysis, None, started.elapsed(), None, None);
    };
    let options = AnalysisOptions {
        time_limit: EDITOR_TIME_LIMIT,
        extensions: Arc::new(config.extensions()),
    };
    let parsed = started.elapsed();
    let (mut analysis, change, snapshot, units) = match path {
        Some(path) => {
            let (analysed, change) =
                workspace.analyse_open(path, &text, &tree, language, &options, previous);
            let units = (analysed.units_analysed, analysed.units_total);
            (analysed.analysis, Some(change), analysed.snapshot, units)
        }
        None => {
            let analysed =
                incremental::analyse(&text, &tree, language, &options, &NoModules, previous);
            let units = (analysed.units_analysed, analysed.units_total);
            (analysed.analysis, None, analysed.snapshot, units)
        }
    };
    // Flows from other files that reach AI calls in this one.
    if let Some(path) = path {
        let incoming = workspace
            .incoming(path)
            .into_iter()
            .filter(|f| f.span.end_byte <= text.len());
        analysis.findings.extend(incoming);
    }
    config::apply(config, &mut analysis.findings);
    tracing::trace!(
        parse_us = parsed.as_micros() as u64,
        analysis_us = (started.elapsed() - parsed).as_micros() as u64,
        reparsed = incremental,
        units_analysed = units.0,
        units = units.1,
        "parse and analysis"
    );
    (
        analysis,
        Some(tree),
        started.elapsed(),
        change,
        Some(snapshot),
    )
}
