//! The workspace index in the language server: built in the background
//! after `initialized` (with `window/workDoneProgress`), updated when an
//! open document's summary changes or a file changes on disk, so that
//! diagnostics in importers and in the files holding AI calls follow.
//! Open documents never wait for it: they are analysed against whatever the
//! index holds, and re-published when it moves on.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tower_lsp_server::ls_types::notification::Notification;
use tower_lsp_server::ls_types::request::WorkDoneProgressCreate;
use tower_lsp_server::ls_types::{
    FileChangeType, FileEvent, ProgressToken, Uri, WorkDoneProgressCreateParams,
};

use super::{configuration, diagnostics};
use crate::analysis::{self, AnalysisOptions};
use crate::check;
use crate::language::Language;
use crate::server::Backend;
use crate::workspace::FileAnalysisWithSummary;

/// A custom notification telling clients (and tests) that the index is
/// complete; editors ignore unknown notifications.
pub enum IndexReady {}

impl Notification for IndexReady {
    type Params = serde_json::Value;
    const METHOD: &'static str = "privacy-lens/indexReady";
}

/// Builds the index of the workspace folders in the background.
pub async fn start(backend: &Backend) {
    let roots = backend.settings().roots;
    if roots.is_empty() {
        return;
    }
    let token = ProgressToken::String("privacy-lens/index".to_string());
    let progress_allowed = backend.flags().work_done_progress && {
        let created = tokio::time::timeout(
            configuration::CLIENT_TIMEOUT,
            backend
                .client()
                .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                    token: token.clone(),
                }),
        )
        .await;
        matches!(created, Ok(Ok(())))
    };
    let progress = if progress_allowed {
        Some(
            backend
                .client()
                .progress(token, "privacy-lens: indexing")
                .with_message("finding files")
                .with_percentage(0)
                .begin()
                .await,
        )
    } else {
        None
    };
    let options = index_options(backend, &roots[0]).await;
    let config = configuration::effective_config(backend, &root_uri(&roots[0]))
        .await
        .unwrap_or_default();
    let workspace = Arc::clone(&backend.session().workspace);
    let done = Arc::new(AtomicUsize::new(0));
    let total = Arc::new(AtomicUsize::new(0));
    let task_done = Arc::clone(&done);
    let task_total = Arc::clone(&total);
    let started = std::time::Instant::now();
    let build = tokio::task::spawn_blocking(move || {
        for root in &roots {
            workspace.add_root(root);
        }
        let files = check::workspace_files(&roots, &config);
        let inputs: Vec<(PathBuf, Language, Arc<str>)> = files
            .into_iter()
            .filter_map(|(path, language)| {
                let text = check::read_source(&path, check::DEFAULT_MAX_FILE_SIZE).ok()?;
                Some((crate::check::normalize(&path), language, Arc::from(text)))
            })
            .collect();
        task_total.store(inputs.len(), Ordering::SeqCst);
        // Members of import cycles keep their trees between rounds, as in `check`.
        let analyse = |_: &Path,
                       text: &str,
                       language: Language,
                       provider: &dyn crate::analysis::summary::ModuleProvider,
                       tree: &mut Option<analysis::Parsed>| {
            FileAnalysisWithSummary::contained(text, language, &options, provider, tree)
                .unwrap_or_default()
        };
        let count = |_: &Path| {
            task_done.fetch_add(1, Ordering::Relaxed);
        };
        // Every core, at a lower priority: the open documents' analyses
        // (at normal priority) still come first.
        let pool = rayon::ThreadPoolBuilder::new()
            .thread_name(|i| format!("privacy-lens-index-{i}"))
            .start_handler(|_| lower_this_thread_priority())
            .build();
        let run = || {
            drop(workspace.build(inputs, &analyse, &count));
        };
        match pool {
            Ok(pool) => pool.install(run),
            Err(_) => run(),
        }
        crate::server::memory::index_built();
    });
    tokio::pin!(build);
    loop {
        tokio::select! {
            _ = &mut build => break,
            _ = tokio::time::sleep(Duration::from_millis(250)) => {
                if let Some(progress) = &progress {
                    let (n, of) = (done.load(Ordering::Relaxed), total.load(Ordering::Relaxed));
                    let percentage = (n * 100).checked_div(of).unwrap_or(0) as u32;
                    progress
                        .report_with_message(format!("{n}/{of} files"), percentage.min(99))
                        .await;
                }
            }
        }
    }
    let files = total.load(Ordering::Relaxed);
    tracing::info!(
        files,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "workspace index built"
    );
    if let Some(progress) = progress {
        progress
            .finish_with_message(format!("{files} files indexed"))
            .await;
    }
    backend.session().index_epoch.fetch_add(1, Ordering::SeqCst);
    backend
        .client()
        .send_notification::<IndexReady>(serde_json::json!({ "files": files }))
        .await;
    diagnostics::schedule_all(backend);
}

async fn index_options(backend: &Backend, root: &Path) -> AnalysisOptions {
    let config = configuration::effective_config(backend, &root_uri(root)).await;
    AnalysisOptions {
        time_limit: Duration::from_secs(2),
        extensions: Arc::new(config.map(|c| c.extensions()).unwrap_or_default()),
    }
}

fn root_uri(root: &Path) -> Uri {
    crate::server::convert::file_uri(&root.join("privacy-lens-index"))
        .unwrap_or_else(|| crate::server::convert::file_uri(root).expect("an absolute root"))
}

/// After an open document's analysis changed what it exports (or where it
/// places findings): re-analyses its importers and re-publishes the open
/// documents whose findings may have moved.
pub fn propagate(backend: &Backend, path: PathBuf, targets: Vec<PathBuf>, summary_changed: bool) {
    let backend = backend.clone();
    tokio::spawn(async move {
        let task_backend = backend.clone();
        let options = index_options(&backend, path.parent().unwrap_or(&path)).await;
        let touched = tokio::task::spawn_blocking(move || {
            let mut touched = targets;
            if summary_changed {
                let read = |p: &Path| {
                    open_text(&task_backend, p).or_else(|| std::fs::read_to_string(p).ok())
                };
                touched.extend(
                    task_backend
                        .session()
                        .workspace
                        .update(&path, &options, &read),
                );
            }
            touched
        })
        .await
        .unwrap_or_default();
        republish(&backend, &touched);
    });
}

/// `workspace/didChangeWatchedFiles` for source files: files changed on
/// disk (and not open) are re-analysed; deleted ones leave the index.
pub fn files_changed(backend: &Backend, changes: &[FileEvent]) {
    let mut changed = Vec::new();
    for change in changes {
        let Some(path) = change
            .uri
            .to_file_path()
            .map(|p| crate::check::normalize(&p))
        else {
            continue;
        };
        let Some(language) = Language::from_path(&path) else {
            continue;
        };
        if open_text(backend, &path).is_some() {
            continue;
        }
        changed.push((path, language, change.typ));
    }
    if changed.is_empty() {
        return;
    }
    let backend = backend.clone();
    tokio::spawn(async move {
        let task_backend = backend.clone();
        let options = index_options(&backend, Path::new("/")).await;
        let touched = tokio::task::spawn_blocking(move || {
            let workspace = &task_backend.session().workspace;
            let read =
                |p: &Path| open_text(&task_backend, p).or_else(|| std::fs::read_to_string(p).ok());
            let mut touched = Vec::new();
            for (path, language, typ) in changed {
                touched.extend(workspace.targets_of(&path));
                if typ == FileChangeType::DELETED {
                    let dependents = workspace.dependents(&path);
                    workspace.remove_file(&path);
                    // Importers lose what they imported from it.
                    for dependent in dependents {
                        touched.push(dependent.clone());
                        let (Some(text), Some(language)) =
                            (read(&dependent), Language::from_path(&dependent))
                        else {
                            continue;
                        };
                        touched.extend(workspace.targets_of(&dependent));
                        let (_, changed) =
                            workspace.analyse_file(&dependent, &text, language, &options);
                        touched.extend(workspace.targets_of(&dependent));
                        if changed {
                            touched.extend(workspace.update(&dependent, &options, &read));
                        }
                    }
                    continue;
                }
                let Some(text) = read(&path) else { continue };
                workspace.add_file(&path, language);
                let (_, changed) = workspace.analyse_file(&path, &text, language, &options);
                touched.extend(workspace.targets_of(&path));
                if changed {
                    touched.extend(workspace.update(&path, &options, &read));
                }
            }
            touched
        })
        .await
        .unwrap_or_default();
        republish(&backend, &touched);
    });
}

/// The text of an open document by its path.
fn open_text(backend: &Backend, path: &Path) -> Option<String> {
    backend.session().documents.iter().find_map(|entry| {
        let open = entry.key().to_file_path()?;
        (crate::check::normalize(&open) == path).then(|| entry.value().text().to_string())
    })
}

fn republish(backend: &Backend, paths: &[PathBuf]) {
    if paths.is_empty() {
        return;
    }
    backend.session().index_epoch.fetch_add(1, Ordering::SeqCst);
    let uris: Vec<Uri> = backend
        .session()
        .documents
        .iter()
        .filter(|entry| {
            entry
                .key()
                .to_file_path()
                .is_some_and(|p| paths.contains(&crate::check::normalize(&p)))
        })
        .map(|entry| entry.key().clone())
        .collect();
    for uri in uris {
        diagnostics::schedule(backend, uri, Duration::ZERO);
    }
}

/// Lowers the calling thread's scheduling priority (nice 10). Linux gives
/// each thread its own nice value; elsewhere this does nothing.
fn lower_this_thread_priority() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: plain system calls on the calling thread's own id; a
        // failure only leaves the priority as it was.
        let result = unsafe {
            let tid = libc::gettid();
            libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 10)
        };
        if result != 0 {
            tracing::debug!("could not lower the index thread's priority");
        }
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    /// The index's threads run at nice 10; other threads keep theirs.
    #[test]
    fn index_threads_yield_to_the_rest_of_the_server() {
        // SAFETY: reads the calling thread's own priority.
        let priority =
            || unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let before = priority();
        let lowered = std::thread::spawn(move || {
            super::lower_this_thread_priority();
            priority()
        })
        .join()
        .expect("the thread ends");
        assert!(lowered >= 10, "index thread at nice {lowered}");
        assert_eq!(priority(), before, "only the calling thread is lowered");
    }
}
