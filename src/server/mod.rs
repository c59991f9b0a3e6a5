//! The language server: the only code that knows LSP types.
//!
//! [`Backend`] implements `tower_lsp_server::LanguageServer` and delegates
//! each method to a file in [`handlers`]; [`convert`] translates between the
//! analysis' byte spans and protocol positions.
//!
//! State lives in [`Session`]: open documents are `Arc<Document>` snapshots
//! in a `DashMap`, replaced (never mutated in place) by `didChange` before
//! its first `.await`, so edits apply in the order they arrive; no map
//! guard or lock is ever held across an `.await`. Analysis runs on tokio's
//! blocking pool under `catch_unwind`, and its results are kept per document
//! version so hovers and code actions reuse what diagnostics computed.

mod contain;
pub mod convert;
pub mod framing;
mod handlers;
mod memory;
mod outbox;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock, RwLock};
use std::time::Duration;

use dashmap::DashMap;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::task::AbortHandle;
use tower_lsp_server::jsonrpc::{self, Result};
use tower_lsp_server::ls_types::{
    CodeActionParams, CodeActionResponse, DidChangeConfigurationParams,
    DidChangeTextDocumentParams, DidChangeWatchedFilesParams, DidCloseTextDocumentParams,
    DidOpenTextDocumentParams, DidSaveTextDocumentParams, Hover, HoverParams, InitializeParams,
    InitializeResult, InitializedParams, MessageType, Uri,
};
use tower_lsp_server::{Client, ClientSocket, LanguageServer, LspService, Server};

use crate::config::{Config, Loaded};
use crate::document::{Document, PositionEncoding};
use crate::finding::{AnalysisNote, Finding};

/// How long diagnostics wait after the last edit before analysing.
pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(50);

/// Documents larger than this are not analysed (the same limit as `check`).
pub const MAX_DOCUMENT_SIZE: usize = 5 * 1024 * 1024;

/// The language server. Cheap to clone: every clone shares one session.
#[derive(Clone)]
pub struct Backend {
    inner: Arc<Inner>,
}

struct Inner {
    client: Client,
    /// Pre-serialised messages (diagnostics), when serving a stream.
    outbox: Option<outbox::Outbox>,
    session: Session,
}

/// Everything the server knows, shared by all handlers.
pub(crate) struct Session {
    pub documents: DashMap<Uri, Arc<Document>>,
    /// The latest analysis of each open document.
    pub analyses: DashMap<Uri, Arc<Analysed>>,
    /// What the latest analysis of each open document leaves for re-analysing
    /// only the edited function next time, with the analysis key it was made under.
    pub snapshots: DashMap<Uri, (u64, Arc<crate::analysis::incremental::Snapshot>)>,
    /// The analysis being computed for each document: requests for the same
    /// version and generation wait for it instead of analysing again.
    pub inflight: DashMap<Uri, Arc<Flight>>,
    /// The debounced diagnostics task of each document, if one is waiting.
    pub pending: DashMap<Uri, AbortHandle>,
    /// What the client said it supports; set once by `initialize`.
    pub client: OnceLock<ClientFlags>,
    pub settings: RwLock<Settings>,
    /// Project configuration discovered for each document directory (the
    /// last good one when a reload fails).
    pub projects: DashMap<PathBuf, Option<Arc<Loaded>>>,
    /// The effective configuration per document directory (`None` for
    /// documents that are not files), for the generation it was built in.
    pub effective: DashMap<Option<PathBuf>, (u64, Arc<Config>)>,
    /// Messages from `initialize` for `initialized` to send (the client
    /// may not be listening before).
    pub startup_messages: std::sync::Mutex<Vec<(MessageType, String)>>,
    /// Bumped whenever any configuration changes: analyses of an older
    /// generation are redone.
    pub generation: AtomicU64,
    pub shutdown: Arc<AtomicBool>,
    /// The cross-file index of the workspace folders.
    pub workspace: Arc<crate::workspace::Workspace>,
    /// Bumped whenever the index changes what other files see: analyses of
    /// an older epoch are redone.
    pub index_epoch: AtomicU64,
}

impl Session {
    /// What a cached analysis must match besides its document version.
    pub fn analysis_key(&self) -> u64 {
        self.generation
            .load(Ordering::SeqCst)
            .wrapping_add(self.index_epoch.load(Ordering::SeqCst) << 32)
    }
}

/// Client capabilities the handlers need.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct ClientFlags {
    pub encoding: PositionEncoding,
    /// Workspace edits may use `documentChanges` (versioned).
    pub document_changes: bool,
    /// The client answers `workspace/configuration`.
    pub configuration: bool,
    /// The client accepts `client/registerCapability` for file watchers.
    pub watch_files: bool,
    /// The client shows `window/workDoneProgress`.
    pub work_done_progress: bool,
}

/// Editor-side settings (the project file is in [`Session::projects`]).
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// From `initializationOptions`.
    pub init: Config,
    /// From `workspace/configuration` or `didChangeConfiguration`.
    pub workspace: Config,
    pub debounce: Duration,
    /// Workspace folders, for anchoring exclude patterns of editor settings.
    pub roots: Vec<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            init: Config::default(),
            workspace: Config::default(),
            debounce: DEFAULT_DEBOUNCE,
            roots: Vec::new(),
        }
    }
}

/// One analysis of one document version.
#[derive(Debug)]
pub(crate) struct Analysed {
    /// The snapshot analysed: finding spans are byte offsets into its text.
    pub doc: Arc<Document>,
    pub findings: Vec<Finding>,
    /// Notes about the analysis (limits hit), published as diagnostics.
    pub notes: Vec<AnalysisNote>,
    pub generation: u64,
}

/// One analysis in progress (or done) for a version and generation.
pub(crate) struct Flight {
    pub version: i32,
    /// The text's [`Document::revision`]: versions may repeat.
    pub revision: u64,
    pub generation: u64,
    pub result: tokio::sync::OnceCell<Option<Arc<Analysed>>>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        Backend::with_outbox(client, None)
    }

    fn with_outbox(client: Client, outbox: Option<outbox::Outbox>) -> Backend {
        Backend {
            inner: Arc::new(Inner {
                client,
                outbox,
                session: Session {
                    documents: DashMap::new(),
                    analyses: DashMap::new(),
                    snapshots: DashMap::new(),
                    inflight: DashMap::new(),
                    pending: DashMap::new(),
                    client: OnceLock::new(),
                    settings: RwLock::new(Settings::default()),
                    projects: DashMap::new(),
                    effective: DashMap::new(),
                    startup_messages: std::sync::Mutex::new(Vec::new()),
                    generation: AtomicU64::new(0),
                    shutdown: Arc::new(AtomicBool::new(false)),
                    workspace: Arc::new(crate::workspace::Workspace::new()),
                    index_epoch: AtomicU64::new(0),
                },
            }),
        }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.inner.client
    }

    pub(crate) fn outbox(&self) -> Option<&outbox::Outbox> {
        self.inner.outbox.as_ref()
    }

    pub(crate) fn session(&self) -> &Session {
        &self.inner.session
    }

    pub(crate) fn flags(&self) -> ClientFlags {
        self.session().client.get().copied().unwrap_or_default()
    }

    pub(crate) fn encoding(&self) -> PositionEncoding {
        self.flags().encoding
    }

    /// A copy of the editor settings (the lock is released on return).
    pub(crate) fn settings(&self) -> Settings {
        match self.session().settings.read() {
            Ok(settings) => settings.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub(crate) fn update_settings(&self, update: impl FnOnce(&mut Settings)) {
        let mut guard = match self.session().settings.write() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        update(&mut guard);
    }

    /// Whether `shutdown` was received (the process then exits with 0).
    pub fn shutdown_requested(&self) -> bool {
        self.session().shutdown.load(Ordering::SeqCst)
    }

    fn shutdown_flag(&self) -> Arc<AtomicBool> {
        Arc::clone(&self.session().shutdown)
    }

    /// Logs to stderr and, as `window/logMessage`, to the editor.
    pub(crate) async fn log(&self, level: MessageType, message: impl Into<String>) {
        let message = message.into();
        match level {
            MessageType::ERROR => tracing::error!("{message}"),
            MessageType::WARNING => tracing::warn!("{message}"),
            _ => tracing::info!("{message}"),
        }
        self.client().log_message(level, message).await;
    }
}

/// Runs `compute` for a request, turning a panic into an internal error
/// instead of taking the server down.
pub(crate) fn guarded<T>(what: &str, compute: impl FnOnce() -> T) -> Result<T> {
    catch_unwind(AssertUnwindSafe(compute)).map_err(|payload| {
        let reason = panic_message(payload.as_ref());
        tracing::error!("{what} panicked: {reason}");
        jsonrpc::Error {
            message: format!("privacy-lens: {what} failed: {reason}").into(),
            ..jsonrpc::Error::internal_error()
        }
    })
}

pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

impl LanguageServer for Backend {
    // Every handler runs under `contain`: a panic fails the request (or
    // drops the notification) and is logged; the server keeps serving.
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        contain::request(self, "initialize", async {
            handlers::initialize::initialize(self, params)
        })
        .await
    }

    async fn initialized(&self, _: InitializedParams) {
        contain::notification(self, "initialized", handlers::initialize::initialized(self)).await;
    }

    async fn shutdown(&self) -> Result<()> {
        contain::request(self, "shutdown", async {
            handlers::initialize::shutdown(self);
            Ok(())
        })
        .await
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let handler = handlers::text_sync::did_open(self, params);
        contain::notification(self, "textDocument/didOpen", handler).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let handler = handlers::text_sync::did_change(self, params);
        contain::notification(self, "textDocument/didChange", handler).await;
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let handler = handlers::text_sync::did_save(self, params);
        contain::notification(self, "textDocument/didSave", handler).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let handler = handlers::text_sync::did_close(self, params);
        contain::notification(self, "textDocument/didClose", handler).await;
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let handler = handlers::hover::hover(self, params);
        contain::request(self, "textDocument/hover", handler).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let handler = handlers::code_action::code_action(self, params);
        contain::request(self, "textDocument/codeAction", handler).await
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let handler = handlers::configuration::did_change_configuration(self, params);
        contain::notification(self, "workspace/didChangeConfiguration", handler).await;
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let handler = handlers::configuration::did_change_watched_files(self, params);
        contain::notification(self, "workspace/didChangeWatchedFiles", handler).await;
    }
}

/// The service and its client socket, for [`Server::serve`] or tests.
pub fn service() -> (LspService<Backend>, ClientSocket) {
    build(Backend::new)
}

fn build(init: impl FnOnce(Client) -> Backend) -> (LspService<Backend>, ClientSocket) {
    LspService::build(init)
        .custom_method(framing::MALFORMED_METHOD, Backend::malformed_message)
        .finish()
}

impl Backend {
    /// The stand-in for a message the client sent malformed ([`framing`]).
    async fn malformed_message(&self, params: framing::Malformed) -> Result<()> {
        Err(framing::error_for(params))
    }
}

/// Serves the protocol on `input`/`output` until `exit` (or end of input).
/// Returns whether `shutdown` came first: the exit status is 0 then, 1
/// otherwise, as LSP prescribes. Malformed input is answered with an error
/// and skipped ([`framing`]); it never ends the session.
pub async fn serve<I, O>(input: I, output: O) -> bool
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (tower_output, outbox, written) = outbox::start(output);
    let mut shutdown = None;
    let (service, socket) = build(|client| {
        let backend = Backend::with_outbox(client, Some(outbox));
        shutdown = Some(backend.shutdown_flag());
        backend
    });
    Server::new(framing::sanitize(input), tower_output, socket)
        .serve(service)
        .await;
    // The last responses (to `shutdown`) reach the client before we return,
    // unless it stopped reading.
    if tokio::time::timeout(Duration::from_secs(5), written)
        .await
        .is_err()
    {
        tracing::warn!("the client did not read the last messages");
    }
    shutdown.is_some_and(|flag| flag.load(Ordering::SeqCst))
}

/// `privacy-lens lsp`: serves on stdin/stdout with a multi-threaded tokio
/// runtime. Returns whether the client shut the server down properly.
pub fn run_stdio() -> std::io::Result<bool> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("privacy-lens-lsp")
        .build()?;
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        "language server starting on stdio"
    );
    contain::init();
    let clean = runtime.block_on(serve(tokio::io::stdin(), tokio::io::stdout()));
    // The stdin reader thread may be blocked in `read` while the client
    // keeps the pipe open: do not wait for it.
    runtime.shutdown_timeout(Duration::from_millis(200));
    tracing::info!(clean, "language server stopped");
    Ok(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_request_becomes_an_internal_error() {
        let result: Result<()> = guarded("hover", || panic!("boom at {}", 42));
        let error = result.unwrap_err();
        assert_eq!(error.code, jsonrpc::ErrorCode::InternalError);
        assert!(error.message.contains("boom at 42"), "{}", error.message);
        assert_eq!(guarded("hover", || 7).unwrap(), 7);
    }
}
