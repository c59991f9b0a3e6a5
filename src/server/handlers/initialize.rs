//! `initialize`, `initialized` and `shutdown`: capability negotiation
//! (position encoding, edit style), settings from `initializationOptions`,
//! configuration pull and file-watcher registration.

use std::path::PathBuf;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverProviderCapability,
    InitializeParams, InitializeResult, MessageType, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions,
    TextDocumentSyncSaveOptions, WorkDoneProgressOptions,
};

use super::configuration;
use crate::server::convert::{self, TAG_ALL_KIND};
use crate::server::{Backend, ClientFlags};

pub fn initialize(backend: &Backend, params: InitializeParams) -> Result<InitializeResult> {
    let capabilities = &params.capabilities;
    let offered = capabilities
        .general
        .as_ref()
        .and_then(|general| general.position_encodings.as_deref());
    let mut encoding = convert::negotiate_encoding(offered);
    // clangd's pre-3.17 extension, still the only way some clients offer UTF-8.
    let legacy_utf8 = offered.is_none()
        && capabilities
            .offset_encoding
            .as_ref()
            .is_some_and(|offered| offered.iter().any(|e| e == "utf-8"));
    if legacy_utf8 {
        encoding = crate::document::PositionEncoding::Utf8;
    }
    let workspace = capabilities.workspace.as_ref();
    let flags = ClientFlags {
        encoding,
        document_changes: workspace
            .and_then(|w| w.workspace_edit.as_ref())
            .and_then(|e| e.document_changes)
            .unwrap_or(false),
        configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
        watch_files: workspace
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|w| w.dynamic_registration)
            .unwrap_or(false),
        work_done_progress: capabilities
            .window
            .as_ref()
            .and_then(|w| w.work_done_progress)
            .unwrap_or(false),
    };
    if backend.session().client.set(flags).is_err() {
        tracing::warn!("initialize received twice; keeping the first capabilities");
    }

    let mut roots: Vec<PathBuf> = params
        .workspace_folders
        .iter()
        .flatten()
        .filter_map(|folder| folder.uri.to_file_path().map(|p| p.into_owned()))
        .collect();
    #[allow(deprecated)]
    if roots.is_empty()
        && let Some(root) = params.root_uri.as_ref().and_then(|u| u.to_file_path())
    {
        roots.push(root.into_owned());
    }
    backend.update_settings(|settings| settings.roots = roots);
    configuration::apply_initialization_options(backend, params.initialization_options.as_ref());

    let client = params
        .client_info
        .as_ref()
        .map_or("an unnamed client".to_string(), |info| {
            format!("{} {}", info.name, info.version.as_deref().unwrap_or(""))
                .trim()
                .to_string()
        });
    tracing::info!(
        "initialize from {client}: position encoding {}, documentChanges {}, configuration {}, file watchers {}",
        encoding.as_str(),
        flags.document_changes,
        flags.configuration,
        flags.watch_files
    );

    Ok(InitializeResult {
        capabilities: ServerCapabilities {
            position_encoding: Some(convert::encoding_kind(encoding)),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                        include_text: Some(false),
                    })),
                    ..TextDocumentSyncOptions::default()
                },
            )),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, TAG_ALL_KIND]),
                work_done_progress_options: WorkDoneProgressOptions::default(),
                resolve_provider: None,
            })),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "privacy-lens".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
        offset_encoding: legacy_utf8.then(|| "utf-8".to_string()),
    })
}

pub async fn initialized(backend: &Backend) {
    let flags = backend.flags();
    backend
        .log(
            MessageType::INFO,
            format!(
                "privacy-lens {} ready (positions in {})",
                env!("CARGO_PKG_VERSION"),
                flags.encoding.as_str()
            ),
        )
        .await;
    configuration::flush_startup_messages(backend).await;
    // Requests to the client run in their own task: a notification handler
    // awaiting a client's answer would keep the server alive after `exit`
    // if that answer never comes.
    let task_backend = backend.clone();
    tokio::spawn(async move {
        if flags.watch_files {
            configuration::register_watchers(&task_backend).await;
        }
        if flags.configuration {
            configuration::pull(&task_backend).await;
        }
        super::index::start(&task_backend).await;
    });
}

pub fn shutdown(backend: &Backend) {
    let session = backend.session();
    session
        .shutdown
        .store(true, std::sync::atomic::Ordering::SeqCst);
    for entry in &session.pending {
        entry.value().abort();
    }
    session.pending.clear();
    tracing::info!("shutdown requested");
}
