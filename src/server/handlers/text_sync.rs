//! `didOpen`, `didChange`, `didSave`, `didClose`: keep the document store in
//! step with the editor. `didChange` applies every change, in order, to a
//! copy of the snapshot and publishes the new snapshot before its first
//! `.await`, so later notifications always see it.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use tower_lsp_server::ls_types::{
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, MessageType,
};

use super::{configuration, diagnostics};
use crate::document::Document;
use crate::language::Language;
use crate::server::Backend;
use crate::server::convert::line_col;

pub async fn did_open(backend: &Backend, params: DidOpenTextDocumentParams) {
    let item = params.text_document;
    let path = item.uri.to_file_path();
    let language = Language::from_language_id(&item.language_id)
        .or_else(|| path.as_deref().and_then(Language::from_path));
    tracing::debug!(
        uri = item.uri.as_str(),
        version = item.version,
        language = language.map(Language::name),
        "didOpen"
    );
    let doc = Document::new(&item.text, item.version, language);
    backend
        .session()
        .documents
        .insert(item.uri.clone(), Arc::new(doc));
    diagnostics::schedule(backend, item.uri, Duration::ZERO);
}

pub async fn did_change(backend: &Backend, params: DidChangeTextDocumentParams) {
    let uri = params.text_document.uri;
    let version = params.text_document.version;
    let encoding = backend.encoding();
    let mut n_clamped = 0;
    let mut previous_version = None;
    {
        // No `.await` in this block: the guard is dropped before any.
        let Some(mut entry) = backend.session().documents.get_mut(&uri) else {
            drop(params.content_changes);
            tracing::warn!(
                uri = uri.as_str(),
                "didChange for a document that is not open"
            );
            return;
        };
        let mut doc = Document::clone(&entry);
        if version <= doc.version() {
            previous_version = Some(doc.version());
        }
        for change in &params.content_changes {
            let range = change.range.map(|r| (line_col(r.start), line_col(r.end)));
            if doc.apply_change(range, &change.text, encoding) {
                n_clamped += 1;
            }
        }
        doc.set_version(version);
        *entry = Arc::new(doc);
    }
    if let Some(previous) = previous_version {
        tracing::warn!(
            uri = uri.as_str(),
            previous,
            version,
            "didChange version does not increase; applied in arrival order"
        );
    }
    if n_clamped > 0 {
        backend
            .log(
                MessageType::WARNING,
                format!(
                    "{}: {n_clamped} change(s) in version {version} had positions outside the text; clamped to the nearest valid position",
                    uri.as_str()
                ),
            )
            .await;
    }
    let debounce = backend.settings().debounce;
    diagnostics::schedule(backend, uri, debounce);
}

pub async fn did_save(backend: &Backend, params: DidSaveTextDocumentParams) {
    // Clients without file watchers (Neovim 0.7) still tell us about saves
    // of the configuration files they edit.
    let is_config = params
        .text_document
        .uri
        .to_file_path()
        .as_deref()
        .and_then(Path::file_name)
        .is_some_and(|name| name == crate::config::FILE_NAME || name == crate::config::PYPROJECT);
    if is_config {
        configuration::reload_projects(backend).await;
    }
}

pub async fn did_close(backend: &Backend, params: DidCloseTextDocumentParams) {
    let uri = params.text_document.uri;
    let session = backend.session();
    session.documents.remove(&uri);
    session.analyses.remove(&uri);
    session.snapshots.remove(&uri);
    session.inflight.remove(&uri);
    if let Some((_, pending)) = session.pending.remove(&uri) {
        pending.abort();
    }
    tracing::debug!(uri = uri.as_str(), "didClose");
    // Unsaved edits are gone: the index goes back to the file on disk, or
    // forgets a document that never was a file.
    if let Some(path) = uri.to_file_path() {
        let typ = if path.is_file() {
            tower_lsp_server::ls_types::FileChangeType::CHANGED
        } else {
            tower_lsp_server::ls_types::FileChangeType::DELETED
        };
        let event = tower_lsp_server::ls_types::FileEvent {
            uri: uri.clone(),
            typ,
        };
        super::index::files_changed(backend, &[event]);
    }
    crate::server::memory::document_closed(session.documents.len());
    // Diagnostics of closed files are the client's to drop; clear ours.
    backend
        .client()
        .publish_diagnostics(uri, Vec::new(), None)
        .await;
}
