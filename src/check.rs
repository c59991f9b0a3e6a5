//! Running the analysis over files and directories: walking (honouring
//! `.gitignore`/`.ignore`), reading, parallel analysis, skipped files and
//! totals. No printing here: the CLI renders a [`CheckResult`] with
//! [`crate::report`], and reports progress through a [`Progress`].

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::num::NonZeroUsize;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::analysis::summary::ModuleProvider;
use crate::analysis::{self, AnalysisOptions};
use crate::config::{self, Config};
use crate::finding::{FileAnalysis, Finding};
use crate::language::Language;
use crate::workspace::{FileAnalysisWithSummary, Workspace};

/// Files larger than this are skipped unless the options say otherwise.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// Directory names never walked into (explicit arguments are still honoured).
/// Any directory holding a `pyvenv.cfg` (a virtual environment) is skipped too.
pub const EXCLUDED_DIRS: &[&str] = &[
    ".git",
    ".hg",
    ".svn",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    ".mypy_cache",
    ".pytest_cache",
    ".ruff_cache",
    "__pycache__",
    "__pypackages__",
    "node_modules",
    "site-packages",
    "dist",
    "build",
];

/// What to do with each selected file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Run the full analysis.
    #[default]
    Analyze,
    /// Walk, read and tree-sitter-parse every file exactly as [`Mode::Analyze`]
    /// would, but skip the analysis (the benchmark's parse floor).
    ParseOnly,
}

#[derive(Debug, Clone)]
pub struct CheckOptions {
    pub analysis: AnalysisOptions,
    /// Files larger than this many bytes are skipped.
    pub max_file_size: u64,
    /// Size of the rayon pool; `None` uses the global pool (all cores, or
    /// `RAYON_NUM_THREADS`).
    pub threads: Option<NonZeroUsize>,
    pub mode: Mode,
    /// Follow flows across files through imports (the workspace index).
    pub cross_file: bool,
    /// Project configuration: excluded paths filter the walk, and rule
    /// severities, disabled rules and policies are applied to each file's
    /// findings. (Its extensions must also be in `analysis.extensions`; see
    /// [`CheckOptions::with_config`].)
    pub config: Arc<Config>,
    /// The process ends after this run (the command line): the workspace
    /// index is left for the operating system to reclaim instead of being
    /// freed piece by piece (about 3% of a large run).
    pub exits_after: bool,
}

impl CheckOptions {
    /// Uses `config` for the walk, the findings and the analysis extensions.
    pub fn with_config(mut self, config: Config) -> Self {
        self.analysis.extensions = Arc::new(config.extensions());
        self.config = Arc::new(config);
        self
    }
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            analysis: AnalysisOptions::default(),
            max_file_size: DEFAULT_MAX_FILE_SIZE,
            threads: None,
            mode: Mode::Analyze,
            cross_file: true,
            config: Arc::default(),
            exits_after: false,
        }
    }
}

/// Errors that stop a run before it starts (usage or configuration problems).
#[derive(Debug, thiserror::Error)]
pub enum CheckError {
    #[error("path does not exist: {}", .0.display())]
    NotFound(PathBuf),
    #[error("cannot access {}: {source}", path.display())]
    Inaccessible {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot build the thread pool: {0}")]
    ThreadPool(#[from] rayon::ThreadPoolBuildError),
}

/// Observes a run; every method may be called from any worker thread.
pub trait Progress: Sync {
    /// The walk is done and `total` files will be processed.
    fn start(&self, _total: usize) {}
    /// One file has been processed (checked or skipped).
    fn file_done(&self, _path: &Path) {}
    /// All files have been processed.
    fn finish(&self) {}
}

/// A [`Progress`] that ignores everything.
pub struct NoProgress;
impl Progress for NoProgress {}

/// One analysed file.
#[derive(Debug, Clone)]
pub struct CheckedFile {
    /// Relative to the current directory when under it, else as given.
    pub path: PathBuf,
    pub language: Language,
    /// The file's text, kept when the analysis produced something to render
    /// (findings, notes or recognised sinks), `None` otherwise to save memory.
    pub text: Option<String>,
    pub lines: usize,
    pub bytes: usize,
    /// Findings are sorted by position, then code.
    pub analysis: FileAnalysis,
}

impl CheckedFile {
    /// Builds an entry by hand (tests, editors, other front ends); sorts the
    /// analysis like [`check`] does.
    pub fn new(
        path: impl Into<PathBuf>,
        language: Language,
        text: impl Into<String>,
        mut analysis: FileAnalysis,
    ) -> Self {
        let text = text.into();
        sort_analysis(&mut analysis);
        CheckedFile {
            path: path.into(),
            language,
            lines: count_lines(&text),
            bytes: text.len(),
            text: Some(text),
            analysis,
        }
    }
}

/// Why a file was not analysed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    Unreadable(String),
    Binary,
    InvalidUtf8,
    TooLarge { size: u64, limit: u64 },
    UnsupportedLanguage,
    InternalError(String),
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SkipReason::Unreadable(err) => write!(f, "unreadable: {err}"),
            SkipReason::Binary => f.write_str("binary file (contains a NUL byte)"),
            SkipReason::InvalidUtf8 => f.write_str("invalid UTF-8"),
            SkipReason::TooLarge { size, limit } => {
                write!(f, "too large: {size} bytes (limit {limit} bytes)")
            }
            SkipReason::UnsupportedLanguage => f.write_str("not a supported language"),
            SkipReason::InternalError(msg) => write!(f, "internal error: {msg}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedFile {
    pub path: PathBuf,
    pub reason: SkipReason,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Totals {
    /// Files analysed (skipped files excluded).
    pub files: usize,
    pub lines: usize,
    pub bytes: usize,
}

/// Everything a run produced, in deterministic order.
#[derive(Debug, Clone, Default)]
pub struct CheckResult {
    /// Sorted by path.
    pub files: Vec<CheckedFile>,
    /// Sorted by path.
    pub skipped: Vec<SkippedFile>,
    pub totals: Totals,
    pub elapsed: Duration,
}

impl CheckResult {
    /// Builds a result from hand-made entries (sorts them and computes totals).
    pub fn from_files(mut files: Vec<CheckedFile>, mut skipped: Vec<SkippedFile>) -> Self {
        files.sort_by(|a, b| a.path.cmp(&b.path));
        skipped.sort_by(|a, b| a.path.cmp(&b.path));
        let totals = Totals {
            files: files.len(),
            lines: files.iter().map(|f| f.lines).sum(),
            bytes: files.iter().map(|f| f.bytes).sum(),
        };
        CheckResult {
            files,
            skipped,
            totals,
            elapsed: Duration::ZERO,
        }
    }

    /// Every finding with its file, in output order.
    pub fn findings(&self) -> impl Iterator<Item = (&CheckedFile, &Finding)> {
        self.files
            .iter()
            .flat_map(|file| file.analysis.findings.iter().map(move |f| (file, f)))
    }

    pub fn finding_count(&self) -> usize {
        self.files.iter().map(|f| f.analysis.findings.len()).sum()
    }

    /// The text of an analysed file by its (display) path, when it was kept.
    pub fn source(&self, path: &Path) -> Option<&str> {
        let index = self
            .files
            .binary_search_by(|f| f.path.as_path().cmp(path))
            .ok()?;
        self.files[index].text.as_deref()
    }
}

/// Walks `paths`, analyses every file of a known language in parallel and
/// collects the results. Fails only for problems with the arguments
/// themselves (a path that does not exist, a bad thread count); problems with
/// individual files are reported as [`SkippedFile`]s.
pub fn check(
    paths: &[PathBuf],
    options: &CheckOptions,
    progress: &dyn Progress,
) -> Result<CheckResult, CheckError> {
    let started = Instant::now();
    let cwd = std::env::current_dir().ok();
    for path in paths {
        if let Err(source) = std::fs::metadata(path) {
            return Err(if source.kind() == std::io::ErrorKind::NotFound {
                CheckError::NotFound(path.clone())
            } else {
                CheckError::Inaccessible {
                    path: path.clone(),
                    source,
                }
            });
        }
    }

    let pool = match options.threads {
        Some(n) => Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(n.get())
                .build()?,
        ),
        None => None,
    };
    let run = || run(paths, cwd.as_deref(), options, progress);
    let mut result = match &pool {
        Some(pool) => pool.install(run),
        None => run(),
    };
    result.elapsed = started.elapsed();
    Ok(result)
}

struct Candidate {
    path: PathBuf,
    display: PathBuf,
    language: Language,
}

enum Outcome {
    Checked(CheckedFile),
    Skipped(SkippedFile),
}

fn run(
    paths: &[PathBuf],
    cwd: Option<&Path>,
    options: &CheckOptions,
    progress: &dyn Progress,
) -> CheckResult {
    let (candidates, mut skipped) = collect(paths, cwd, &options.config);
    tracing::debug!(files = candidates.len(), "walk done");
    progress.start(candidates.len());
    if options.cross_file && options.mode == Mode::Analyze {
        return run_workspace(paths, candidates, skipped, cwd, options, progress);
    }
    let outcomes: Vec<Outcome> = candidates
        .par_iter()
        .map(|candidate| {
            let outcome = process(candidate, cwd, options);
            progress.file_done(&candidate.display);
            outcome
        })
        .collect();
    progress.finish();

    let mut files = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Outcome::Checked(file) => files.push(file),
            Outcome::Skipped(file) => skipped.push(file),
        }
    }
    let mut result = CheckResult::from_files(files, skipped);
    keep_referenced_sources(&mut result);
    result
}

/// The whole-workspace analysis: every file is read first, then analysed
/// in import order so that calls into other files use their summaries, and
/// findings are placed in the file that holds their AI call.
fn run_workspace(
    paths: &[PathBuf],
    candidates: Vec<Candidate>,
    mut skipped: Vec<SkippedFile>,
    cwd: Option<&Path>,
    options: &CheckOptions,
    progress: &dyn Progress,
) -> CheckResult {
    let absolute = |path: &Path| absolute_path(path, cwd);
    let roots: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.is_dir())
        .map(|p| absolute(p))
        .collect();
    let texts: Vec<(usize, Result<String, SkipReason>)> = candidates
        .par_iter()
        .enumerate()
        .map(|(i, c)| (i, read_source(&c.path, options.max_file_size)))
        .collect();
    let mut inputs = Vec::new();
    let mut by_path: HashMap<PathBuf, usize> = HashMap::new();
    for (i, text) in texts {
        let candidate = &candidates[i];
        match text {
            Ok(text) => {
                let path = absolute(&candidate.path);
                by_path.insert(path.clone(), i);
                inputs.push((path, candidate.language, Arc::<str>::from(text)));
            }
            Err(reason) => {
                progress.file_done(&candidate.display);
                skipped.push(SkippedFile {
                    path: candidate.display.clone(),
                    reason,
                });
            }
        }
    }
    let texts: HashMap<PathBuf, (Language, Arc<str>)> = inputs
        .iter()
        .map(|(p, l, t)| (p.clone(), (*l, t.clone())))
        .collect();
    let done = |path: &Path| {
        if let Some(i) = by_path.get(path) {
            progress.file_done(&candidates[*i].display);
        }
    };
    let WorkspaceRun {
        mut analyses,
        panicked,
    } = analyse_workspace(inputs, &roots, options, &done);
    progress.finish();

    let mut files = Vec::with_capacity(analyses.len());
    let mut sorted: Vec<PathBuf> = analyses.keys().cloned().collect();
    sorted.sort();
    for path in sorted {
        let (Some(mut analysis), Some(i), Some((language, text))) =
            (analyses.remove(&path), by_path.get(&path), texts.get(&path))
        else {
            continue;
        };
        let candidate = &candidates[*i];
        if let Some(message) = panicked.get(&path) {
            skipped.push(SkippedFile {
                path: candidate.display.clone(),
                reason: SkipReason::InternalError(message.clone()),
            });
            continue;
        }
        sort_analysis(&mut analysis);
        relativize_references(&mut analysis, cwd);
        let keep_text = !analysis.findings.is_empty()
            || !analysis.notes.is_empty()
            || !analysis.recognised_sinks.is_empty();
        files.push(CheckedFile {
            path: candidate.display.clone(),
            language: *language,
            text: keep_text.then(|| text.to_string()),
            lines: count_lines(text),
            bytes: text.len(),
            analysis,
        });
    }
    let mut result = CheckResult::from_files(files, skipped);
    keep_referenced_sources(&mut result);
    result
}

/// The analyses of one workspace's files, by absolute path.
pub struct WorkspaceRun {
    /// Each file's findings, those reached from other files included, with
    /// the configuration applied.
    pub analyses: HashMap<PathBuf, FileAnalysis>,
    /// Files whose analysis panicked, with the message.
    pub panicked: HashMap<PathBuf, String>,
}

/// Analyses files of one workspace (absolute paths with their text) with
/// the cross-file index; `roots` are the folders Python packages hang from.
/// `done` is called once per file. Also used for the base side of `--diff`.
pub fn analyse_workspace(
    inputs: Vec<(PathBuf, Language, Arc<str>)>,
    roots: &[PathBuf],
    options: &CheckOptions,
    done: &(dyn Fn(&Path) + Sync),
) -> WorkspaceRun {
    let workspace = Workspace::new();
    for root in roots {
        workspace.add_root(root);
    }
    let panicked: dashmap::DashMap<PathBuf, String> = dashmap::DashMap::new();
    let analyse = |path: &Path,
                   text: &str,
                   language: Language,
                   provider: &dyn ModuleProvider,
                   tree: &mut Option<analysis::Parsed>| {
        FileAnalysisWithSummary::contained(text, language, &options.analysis, provider, tree)
            .unwrap_or_else(|payload| {
                let message = panic_message(payload.as_ref());
                tracing::error!(path = %path.display(), "analysis panicked: {message}");
                panicked.insert(path.to_path_buf(), message);
                FileAnalysisWithSummary::default()
            })
    };
    let mut analyses = workspace.build(inputs, &analyse, done);
    // Findings reached through imports belong to the file of their AI call.
    let mut placed: HashMap<PathBuf, Vec<Finding>> = HashMap::new();
    for path in analyses.keys() {
        for (target, finding) in workspace.outgoing_of(path) {
            placed.entry(target).or_default().push(finding);
        }
    }
    for (path, analysis) in analyses.iter_mut() {
        analysis
            .findings
            .extend(placed.remove(path).unwrap_or_default());
        config::apply(&options.config, &mut analysis.findings);
    }
    if options.exits_after {
        std::mem::forget(workspace);
    }
    WorkspaceRun {
        analyses: analyses.into_iter().collect(),
        panicked: panicked.into_iter().collect(),
    }
}

/// `path` made absolute against `cwd` and normalised.
pub fn absolute_path(path: &Path, cwd: Option<&Path>) -> PathBuf {
    match cwd {
        Some(cwd) if path.is_relative() => normalize(&cwd.join(path)),
        _ => normalize(path),
    }
}

/// The files a whole-workspace analysis of `roots` covers (walked like
/// `check` walks), with their languages.
pub fn workspace_files(roots: &[PathBuf], config: &Arc<Config>) -> Vec<(PathBuf, Language)> {
    let (candidates, _) = collect(roots, None, config);
    candidates
        .into_iter()
        .map(|c| (c.path, c.language))
        .collect()
}

/// Selects the files to analyse: explicit files of a known language, and
/// files of a known language found by walking directories.
/// Walked files and directories matching the configuration's excludes are
/// left out; paths given explicitly are always checked.
fn collect(
    paths: &[PathBuf],
    cwd: Option<&Path>,
    config: &Arc<Config>,
) -> (Vec<Candidate>, Vec<SkippedFile>) {
    let mut candidates = Vec::new();
    let mut skipped = Vec::new();
    let mut seen = HashSet::new();
    let mut add = |path: PathBuf, language: Language, candidates: &mut Vec<Candidate>| {
        let display = display_path(&path, cwd);
        if seen.insert(display.clone()) {
            candidates.push(Candidate {
                path,
                display,
                language,
            });
        }
    };

    for root in paths {
        if !root.is_dir() {
            match Language::from_path(root) {
                Some(language) => add(root.clone(), language, &mut candidates),
                None => skipped.push(SkippedFile {
                    path: display_path(root, cwd),
                    reason: SkipReason::UnsupportedLanguage,
                }),
            }
            continue;
        }
        let config = Arc::clone(config);
        let walker = ignore::WalkBuilder::new(root)
            .hidden(false)
            .require_git(false)
            .follow_links(false)
            .filter_entry(move |entry| {
                !is_excluded_dir(entry)
                    && (entry.depth() == 0 || !config.exclude.is_excluded(entry.path()))
            })
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    if !entry.file_type().is_some_and(|t| t.is_file()) {
                        continue;
                    }
                    if let Some(language) = Language::from_path(entry.path()) {
                        add(entry.into_path(), language, &mut candidates);
                    }
                }
                Err(err) => {
                    let path = error_path(&err).unwrap_or(root);
                    tracing::warn!("{err}");
                    skipped.push(SkippedFile {
                        path: display_path(path, cwd),
                        reason: SkipReason::Unreadable(error_message(&err)),
                    });
                }
            }
        }
    }
    (candidates, skipped)
}

fn is_excluded_dir(entry: &ignore::DirEntry) -> bool {
    if !entry.file_type().is_some_and(|t| t.is_dir()) {
        return false;
    }
    let name = entry.file_name().to_string_lossy();
    EXCLUDED_DIRS.contains(&name.as_ref()) || entry.path().join("pyvenv.cfg").is_file()
}

fn error_path(err: &ignore::Error) -> Option<&Path> {
    match err {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        _ => None,
    }
}

fn error_message(err: &ignore::Error) -> String {
    match err {
        ignore::Error::WithPath { err, .. }
        | ignore::Error::WithDepth { err, .. }
        | ignore::Error::WithLineNumber { err, .. } => error_message(err),
        other => other.to_string(),
    }
}

/// Reads one file, then analyses or parses it; never panics.
fn process(candidate: &Candidate, cwd: Option<&Path>, options: &CheckOptions) -> Outcome {
    process_with(candidate, cwd, options, |text, language| {
        match options.mode {
            Mode::Analyze => {
                let mut analysis = analysis::analyze(text, language, &options.analysis);
                config::apply(&options.config, &mut analysis.findings);
                analysis
            }
            Mode::ParseOnly => {
                // The same parser (one per worker thread) the analysis uses.
                drop(analysis::parse(text, language, None));
                FileAnalysis::default()
            }
        }
    })
}

fn process_with(
    candidate: &Candidate,
    cwd: Option<&Path>,
    options: &CheckOptions,
    analyze: impl Fn(&str, Language) -> FileAnalysis,
) -> Outcome {
    let skip = |reason| {
        Outcome::Skipped(SkippedFile {
            path: candidate.display.clone(),
            reason,
        })
    };
    let text = match read_source(&candidate.path, options.max_file_size) {
        Ok(text) => text,
        Err(reason) => return skip(reason),
    };
    let lines = count_lines(&text);
    let bytes = text.len();
    let language = candidate.language;

    let analysed = panic::catch_unwind(AssertUnwindSafe(|| analyze(&text, language)));
    let mut analysis = match analysed {
        Ok(analysis) => analysis,
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            tracing::error!(path = %candidate.display.display(), "analysis panicked: {message}");
            return skip(SkipReason::InternalError(message));
        }
    };
    sort_analysis(&mut analysis);
    relativize_references(&mut analysis, cwd);
    let keep_text = !analysis.findings.is_empty()
        || !analysis.notes.is_empty()
        || !analysis.recognised_sinks.is_empty();
    Outcome::Checked(CheckedFile {
        path: candidate.display.clone(),
        language,
        text: keep_text.then_some(text),
        lines,
        bytes,
        analysis,
    })
}

/// Reads a file as UTF-8 text, enforcing the size limit and rejecting binary
/// files.
pub fn read_source(path: &Path, max_file_size: u64) -> Result<String, SkipReason> {
    let unreadable = |err: std::io::Error| SkipReason::Unreadable(err.to_string());
    let size = std::fs::metadata(path).map_err(unreadable)?.len();
    if size > max_file_size {
        return Err(SkipReason::TooLarge {
            size,
            limit: max_file_size,
        });
    }
    let bytes = std::fs::read(path).map_err(unreadable)?;
    if bytes.len() as u64 > max_file_size {
        return Err(SkipReason::TooLarge {
            size: bytes.len() as u64,
            limit: max_file_size,
        });
    }
    if bytes.contains(&0) {
        return Err(SkipReason::Binary);
    }
    String::from_utf8(bytes).map_err(|_| SkipReason::InvalidUtf8)
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "the analysis panicked".to_owned()
    }
}

fn sort_analysis(analysis: &mut FileAnalysis) {
    analysis.findings.sort_by(|a, b| {
        (a.span.start_byte, a.span.end_byte, a.code, &a.message).cmp(&(
            b.span.start_byte,
            b.span.end_byte,
            b.code,
            &b.message,
        ))
    });
    analysis
        .recognised_sinks
        .sort_by(|a, b| (a.span, &a.sink.api).cmp(&(b.span, &b.sink.api)));
}

/// Number of lines as an editor counts them (a trailing newline does not
/// start a new line; an empty file has none).
pub fn count_lines(text: &str) -> usize {
    let newlines = text.bytes().filter(|&b| b == b'\n').count();
    newlines + usize::from(!text.is_empty() && !text.ends_with('\n'))
}

/// The path to show for `path`: relative to `cwd` when under it, else as given
/// (without leading `./`).
pub fn display_path(path: &Path, cwd: Option<&Path>) -> PathBuf {
    let has_parent = path.components().any(|c| c == Component::ParentDir);
    if let Some(cwd) = cwd
        && (path.is_absolute() || has_parent)
    {
        let absolute = normalize(&cwd.join(path));
        if let Ok(relative) = absolute.strip_prefix(cwd) {
            return if relative.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                relative.to_path_buf()
            };
        }
        return path.to_path_buf();
    }
    let stripped: PathBuf = path
        .components()
        .filter(|c| *c != Component::CurDir)
        .collect();
    if stripped.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        stripped
    }
}

/// Lexically resolves `.` and `..` components.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(component);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Cross-file sources and flow steps get display paths like the files themselves.
fn relativize_references(analysis: &mut FileAnalysis, cwd: Option<&Path>) {
    for finding in &mut analysis.findings {
        let sources = finding.sources.iter_mut().map(|s| &mut s.file);
        let steps = finding.flow.iter_mut().map(|s| &mut s.file);
        for file in sources.chain(steps).flatten() {
            *file = display_path(file, cwd);
        }
    }
}

/// Sources and flow steps may point into other files; keep (or re-read) the
/// text of those files so reports can convert their columns and show them.
fn keep_referenced_sources(result: &mut CheckResult) {
    let mut wanted = HashSet::new();
    for file in &result.files {
        for finding in &file.analysis.findings {
            let sources = finding.sources.iter().filter_map(|s| s.file.as_deref());
            let steps = finding.flow.iter().filter_map(|s| s.file.as_deref());
            for path in sources.chain(steps) {
                wanted.insert(path.to_path_buf());
            }
        }
    }
    if wanted.is_empty() {
        return;
    }
    for file in &mut result.files {
        if file.text.is_none() && wanted.contains(&file.path) {
            file.text = std::fs::read_to_string(&file.path).ok();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_lines_like_an_editor() {
        assert_eq!(count_lines(""), 0);
        assert_eq!(count_lines("a"), 1);
        assert_eq!(count_lines("a\n"), 1);
        assert_eq!(count_lines("a\nb"), 2);
        assert_eq!(count_lines("\n\n"), 2);
    }

    #[test]
    fn display_paths_are_relative_to_the_working_directory() {
        let cwd = Path::new("/home/me/proj");
        assert_eq!(
            display_path(Path::new("./app/x.py"), Some(cwd)),
            Path::new("app/x.py")
        );
        assert_eq!(
            display_path(Path::new("/home/me/proj/app/x.py"), Some(cwd)),
            Path::new("app/x.py")
        );
        assert_eq!(
            display_path(Path::new("/elsewhere/x.py"), Some(cwd)),
            Path::new("/elsewhere/x.py")
        );
        assert_eq!(
            display_path(Path::new("../proj/x.py"), Some(cwd)),
            Path::new("x.py")
        );
        assert_eq!(
            display_path(Path::new("../other/x.py"), Some(cwd)),
            Path::new("../other/x.py")
        );
        assert_eq!(display_path(Path::new("."), Some(cwd)), Path::new("."));
    }

    #[test]
    fn a_panicking_analysis_skips_only_that_file() {
        let dir = tempfile::TempDir::new().unwrap();
        let path = dir.path().join("boom.py");
        std::fs::write(&path, "x = 1\n").unwrap();
        let candidate = Candidate {
            path: path.clone(),
            display: PathBuf::from("boom.py"),
            language: Language::Python,
        };
        let outcome = process_with(&candidate, None, &CheckOptions::default(), |_, _| {
            panic!("index out of bounds")
        });
        match outcome {
            Outcome::Skipped(skipped) => {
                assert_eq!(skipped.path, Path::new("boom.py"));
                assert_eq!(
                    skipped.reason.to_string(),
                    "internal error: index out of bounds"
                );
            }
            Outcome::Checked(_) => panic!("expected the file to be skipped"),
        }
    }

    #[test]
    fn panic_payloads_become_messages() {
        let payload = panic::catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
        assert_eq!(panic_message(payload.as_ref()), "boom 1");
    }
}
