//! Settings: `initializationOptions`, `workspace/configuration` (pulled at
//! start and on `didChangeConfiguration`), and the project's
//! `privacy-lens.toml` / `pyproject.toml` found by walking up from each
//! document, re-read when watched files change or a configuration file is
//! saved.
//!
//! Layering (later wins, [`Config::merge`]): project file, then
//! `initializationOptions`, then workspace settings — the editor overrides
//! the repository, as in ruff's default. Errors are shown with
//! `window/showMessage` and the last good settings are kept.
//!
//! Server-only keys (not part of the configuration file): `debounceMs`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use serde_json::{Value, json};
use tower_lsp_server::ls_types::{
    ConfigurationItem, DidChangeConfigurationParams, DidChangeWatchedFilesParams, MessageType,
    Registration, Uri,
};

use super::diagnostics;
use crate::config::{self, Config, Loaded};
use crate::server::Backend;

/// How long a request to the client may take before we give up on it.
pub(crate) const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);

/// The settings section clients keep our settings under.
pub const SECTION: &str = "privacy-lens";

/// Our section of a settings object: `{"privacy-lens": {…}}` or the object itself.
fn section(value: &Value) -> &Value {
    value
        .get(SECTION)
        .or_else(|| value.get("privacyLens"))
        .unwrap_or(value)
}

/// Removes the server-only keys from a settings object and returns them.
fn split_server_keys(value: &Value) -> (Option<Duration>, Value) {
    let mut value = value.clone();
    let debounce = value
        .as_object_mut()
        .and_then(|object| object.remove("debounceMs"))
        .and_then(|ms| ms.as_u64())
        .map(|ms| Duration::from_millis(ms.min(10_000)));
    (debounce, value)
}

/// Parses editor settings; warnings (unknown keys) go to the log.
fn parse(value: &Value, origin: &str) -> Result<(Option<Duration>, Config, Vec<String>), String> {
    let (debounce, value) = split_server_keys(section(value));
    if value.is_null() {
        return Ok((debounce, Config::default(), Vec::new()));
    }
    match config::from_json_with_warnings(&value) {
        Ok((config, warnings)) => {
            let warnings = warnings.iter().map(|w| format!("{origin}: {w}")).collect();
            Ok((debounce, config, warnings))
        }
        Err(err) => Err(format!("privacy-lens: invalid {origin}: {err}")),
    }
}

/// `initializationOptions`, applied synchronously in `initialize` so the
/// first analyses already use them.
pub fn apply_initialization_options(backend: &Backend, options: Option<&Value>) {
    let Some(options) = options else { return };
    let mut messages = Vec::new();
    match parse(options, "initializationOptions") {
        Ok((debounce, config, warnings)) => {
            backend.update_settings(|settings| {
                settings.init = config;
                if let Some(debounce) = debounce {
                    settings.debounce = debounce;
                }
            });
            messages.extend(warnings.into_iter().map(|w| (MessageType::WARNING, w)));
        }
        Err(err) => messages.push((MessageType::ERROR, err)),
    }
    if let Ok(mut pending) = backend.session().startup_messages.lock() {
        pending.extend(messages);
    }
}

/// Sends what `initialize` could not (errors as `showMessage`).
pub async fn flush_startup_messages(backend: &Backend) {
    let messages = match backend.session().startup_messages.lock() {
        Ok(mut pending) => std::mem::take(&mut *pending),
        Err(_) => Vec::new(),
    };
    for (level, message) in messages {
        report(backend, level, message).await;
    }
}

async fn report(backend: &Backend, level: MessageType, message: String) {
    if level == MessageType::ERROR {
        backend.client().show_message(level, &message).await;
    }
    backend.log(level, message).await;
}

/// Pulls the `privacy-lens` section with `workspace/configuration`.
pub async fn pull(backend: &Backend) {
    let items = vec![ConfigurationItem {
        scope_uri: None,
        section: Some(SECTION.to_string()),
    }];
    let answer = tokio::time::timeout(CLIENT_TIMEOUT, backend.client().configuration(items)).await;
    let Ok(answer) = answer else {
        tracing::warn!("workspace/configuration: no answer within {CLIENT_TIMEOUT:?}");
        return;
    };
    match answer {
        Ok(values) => {
            let value = values.into_iter().next().unwrap_or(Value::Null);
            apply_workspace_settings(backend, &value).await;
        }
        Err(err) => tracing::info!("workspace/configuration failed: {err}"),
    }
}

async fn apply_workspace_settings(backend: &Backend, value: &Value) {
    match parse(value, "workspace settings") {
        Ok((debounce, config, warnings)) => {
            backend.update_settings(|settings| {
                settings.workspace = config;
                if let Some(debounce) = debounce {
                    settings.debounce = debounce;
                }
            });
            for warning in warnings {
                report(backend, MessageType::WARNING, warning).await;
            }
            changed(backend);
        }
        Err(err) => {
            report(
                backend,
                MessageType::ERROR,
                format!("{err} (keeping the previous settings)"),
            )
            .await;
        }
    }
}

pub async fn did_change_configuration(backend: &Backend, params: DidChangeConfigurationParams) {
    if backend.flags().configuration {
        // In its own task, like every request to the client (see `initialized`).
        let task_backend = backend.clone();
        tokio::spawn(async move { pull(&task_backend).await });
    } else {
        apply_workspace_settings(backend, &params.settings).await;
    }
}

pub async fn did_change_watched_files(backend: &Backend, params: DidChangeWatchedFilesParams) {
    let relevant = params.changes.iter().any(|change| {
        change
            .uri
            .to_file_path()
            .as_deref()
            .and_then(Path::file_name)
            .is_some_and(|name| name == config::FILE_NAME || name == config::PYPROJECT)
    });
    if relevant {
        reload_projects(backend).await;
    }
    super::index::files_changed(backend, &params.changes);
}

/// Asks the client to watch the configuration files.
pub async fn register_watchers(backend: &Backend) {
    let registration = Registration {
        id: "privacy-lens-configuration-files".to_string(),
        method: "workspace/didChangeWatchedFiles".to_string(),
        register_options: Some(json!({
            "watchers": [
                { "globPattern": format!("**/{}", config::FILE_NAME) },
                { "globPattern": format!("**/{}", config::PYPROJECT) },
                // Source files feed the cross-file index.
                { "globPattern": "**/*.{py,js,jsx,mjs,cjs,ts,tsx,mts,cts}" },
            ]
        })),
    };
    let answer = tokio::time::timeout(
        CLIENT_TIMEOUT,
        backend.client().register_capability(vec![registration]),
    )
    .await;
    match answer {
        Ok(Ok(())) => tracing::debug!("watching configuration files"),
        Ok(Err(err)) => tracing::info!("file watcher registration failed: {err}"),
        Err(_) => tracing::warn!("client/registerCapability: no answer within {CLIENT_TIMEOUT:?}"),
    }
}

/// Configuration changed: drop cached effective configurations and analyses.
fn changed(backend: &Backend) {
    let session = backend.session();
    session.generation.fetch_add(1, Ordering::SeqCst);
    session.effective.clear();
    diagnostics::schedule_all(backend);
}

/// Re-reads the project configuration of every directory seen so far.
/// A directory whose file became invalid keeps its last good configuration.
pub async fn reload_projects(backend: &Backend) {
    let dirs: Vec<PathBuf> = backend
        .session()
        .projects
        .iter()
        .map(|entry| entry.key().clone())
        .collect();
    for dir in dirs {
        let task_dir = dir.clone();
        let Ok(result) = tokio::task::spawn_blocking(move || config::discover(&task_dir)).await
        else {
            continue;
        };
        match result {
            Ok(loaded) => {
                let loaded = loaded.map(Arc::new);
                if let Some(loaded) = &loaded {
                    report_warnings(backend, loaded).await;
                }
                backend.session().projects.insert(dir, loaded);
            }
            Err(err) => {
                report(
                    backend,
                    MessageType::ERROR,
                    format!("privacy-lens: {err} (keeping the previous configuration)"),
                )
                .await;
            }
        }
    }
    backend
        .log(MessageType::INFO, "project configuration reloaded")
        .await;
    changed(backend);
}

async fn report_warnings(backend: &Backend, loaded: &Loaded) {
    for warning in &loaded.warnings {
        report(
            backend,
            MessageType::WARNING,
            format!("privacy-lens: {warning}"),
        )
        .await;
    }
}

/// The project configuration for documents in `dir`, discovered once.
async fn project(backend: &Backend, dir: &Path) -> Option<Arc<Loaded>> {
    if let Some(cached) = backend.session().projects.get(dir) {
        return cached.clone();
    }
    let task_dir = dir.to_path_buf();
    let result = tokio::task::spawn_blocking(move || config::discover(&task_dir))
        .await
        .ok()?;
    let loaded = match result {
        Ok(loaded) => {
            let loaded = loaded.map(Arc::new);
            if let Some(loaded) = &loaded {
                tracing::info!("using configuration {}", loaded.path.display());
                report_warnings(backend, loaded).await;
            }
            loaded
        }
        Err(err) => {
            report(backend, MessageType::ERROR, format!("privacy-lens: {err}")).await;
            None
        }
    };
    backend
        .session()
        .projects
        .insert(dir.to_path_buf(), loaded.clone());
    loaded
}

/// The configuration that applies to `uri`, or `None` when the project
/// excludes the file (it then gets no diagnostics).
pub async fn effective_config(backend: &Backend, uri: &Uri) -> Option<Arc<Config>> {
    let session = backend.session();
    let path = uri.to_file_path().map(|p| p.into_owned());
    let dir = path
        .as_deref()
        .and_then(Path::parent)
        .map(Path::to_path_buf);
    let generation = session.generation.load(Ordering::SeqCst);
    let cached = session
        .effective
        .get(&dir)
        .filter(|entry| entry.0 == generation)
        .map(|entry| Arc::clone(&entry.1));
    let config = match cached {
        Some(config) => config,
        None => {
            let mut config = match &dir {
                Some(dir) => project(backend, dir)
                    .await
                    .map(|loaded| loaded.config.clone())
                    .unwrap_or_default(),
                None => Config::default(),
            };
            let settings = backend.settings();
            let mut editor = settings.init;
            editor.merge(settings.workspace);
            let root = path.as_deref().and_then(|path| {
                settings
                    .roots
                    .iter()
                    .find(|root| path.starts_with(root))
                    .or(settings.roots.first())
            });
            if let Some(root) = root {
                editor.set_base_dir(root);
            }
            config.merge(editor);
            let config = Arc::new(config);
            session
                .effective
                .insert(dir, (generation, Arc::clone(&config)));
            config
        }
    };
    if let Some(path) = &path
        && config.exclude.is_excluded(path)
    {
        return None;
    }
    Some(config)
}
