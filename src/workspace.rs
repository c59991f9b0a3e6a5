//! The cross-file index: which local module an import names, and the
//! summary each module exports to its importers.
//!
//! A whole-workspace build reads every file, finds its imports with a cheap
//! line scan, orders the files so that a module is analysed after the
//! modules it imports (import cycles are analysed together, repeatedly, until
//! their summaries settle), and analyses each level of that order in
//! parallel. Each file is parsed and analysed once (files in cycles a few
//! times); only summaries are kept, never syntax trees.
//!
//! The language server keeps the index and updates it when a file changes:
//! see [`Workspace::update`].

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use dashmap::DashMap;
use rayon::prelude::*;
use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};

use crate::analysis::incremental;
use crate::analysis::summary::{ModuleProvider, ModuleSummary};
use crate::analysis::{self, AnalysisOptions};
use crate::finding::{FileAnalysis, Finding};
use crate::language::Language;

/// Rounds over an import cycle before its summaries are taken as settled.
const MAX_CYCLE_ROUNDS: usize = 2;
/// Dependents re-analysed after one change, transitively, at most.
const MAX_UPDATE_FILES: usize = 256;

/// A concurrent map by path. Import resolution probes it for every
/// candidate file, so it hashes with FxHash rather than SipHash.
type PathMap<V> = DashMap<PathBuf, V, rustc_hash::FxBuildHasher>;

/// The modules of one workspace and what they export.
#[derive(Default)]
pub struct Workspace {
    /// Every file the index knows, absolute and normalised.
    files: PathMap<Language>,
    /// Folders searched for absolute Python imports, besides each file's own.
    python_roots: std::sync::RwLock<Vec<PathBuf>>,
    tsconfigs: PathMap<Option<Arc<TsConfig>>>,
    summaries: PathMap<Arc<ModuleSummary>>,
    /// The local modules each file imports.
    deps: PathMap<Vec<PathBuf>>,
    /// Findings each file's analysis placed in other files, by origin.
    outgoing: PathMap<Vec<(PathBuf, Finding)>>,
}

/// What one file's new analysis changed in the index.
#[derive(Debug, Default)]
pub struct IndexChange {
    /// Importers must be re-analysed.
    pub summary_changed: bool,
    /// Files whose incoming findings changed.
    pub targets: Vec<PathBuf>,
}

/// One file's analysis with its cross-file findings placed where they belong.
pub struct Analysed {
    pub analysis: FileAnalysis,
    pub summary: Option<Arc<ModuleSummary>>,
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace::default()
    }

    /// Adds folders whose subfolders are top-level Python packages (a
    /// workspace root, its `src/`).
    pub fn add_root(&self, root: &Path) {
        let root = crate::check::normalize(root);
        let mut roots = self.python_roots.write().unwrap_or_else(|e| e.into_inner());
        for candidate in [root.clone(), root.join("src")] {
            if !roots.contains(&candidate) {
                roots.push(candidate);
            }
        }
    }

    pub fn add_file(&self, path: &Path, language: Language) {
        self.files.insert(crate::check::normalize(path), language);
    }

    pub fn remove_file(&self, path: &Path) {
        let path = crate::check::normalize(path);
        self.files.remove(&path);
        self.summaries.remove(&path);
        self.deps.remove(&path);
        self.outgoing.remove(&path);
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    pub fn file_count(&self) -> usize {
        self.files.len()
    }

    pub fn summary(&self, path: &Path) -> Option<Arc<ModuleSummary>> {
        self.summaries.get(path).map(|s| s.clone())
    }

    /// Findings other files' analyses placed in `path`.
    pub fn incoming(&self, path: &Path) -> Vec<Finding> {
        let mut out = Vec::new();
        for entry in self.outgoing.iter() {
            if entry.key() == path {
                continue;
            }
            for (target, finding) in entry.value() {
                if target == path {
                    out.push(finding.clone());
                }
            }
        }
        out.sort_by_key(|f| (f.span.start_byte, f.code));
        out
    }

    /// Files that import `path`.
    pub fn dependents(&self, path: &Path) -> Vec<PathBuf> {
        let mut out: Vec<PathBuf> = self
            .deps
            .iter()
            .filter(|e| e.value().iter().any(|d| d == path))
            .map(|e| e.key().clone())
            .collect();
        out.sort();
        out
    }

    // ------------------------------------------------------------ analysis

    /// Analyses one file against the current index and records its summary,
    /// imports and the findings it places in other files. Returns whether
    /// its summary changed.
    pub fn analyse_file(
        &self,
        path: &Path,
        text: &str,
        language: Language,
        options: &AnalysisOptions,
    ) -> (Analysed, bool) {
        let provider = FileProvider::new(self, path, language, None);
        let (mut analysis, summary) = analysis::analyze_module(text, language, options, &provider);
        let summary = summary.map(Arc::new);
        let changed = self.record(path, &provider, &mut analysis, summary.clone());
        (Analysed { analysis, summary }, changed)
    }

    /// [`Workspace::analyse_file`] for an open document whose tree the
    /// language server already has, re-analysing only the edited function
    /// when `previous` (the last analysis of this document) allows it. Also
    /// returns the files in which this file's analysis places findings,
    /// before and after, when they changed.
    pub fn analyse_open(
        &self,
        path: &Path,
        text: &str,
        tree: &tree_sitter::Tree,
        language: Language,
        options: &AnalysisOptions,
        previous: Option<&incremental::Snapshot>,
    ) -> (incremental::Analysed, IndexChange) {
        self.files.insert(crate::check::normalize(path), language);
        let mut provider = FileProvider::new(self, path, language, None);
        // Nothing imports this file: its summary can wait (the index keeps
        // the last one) and the keystroke does not pay for exporting it.
        provider.summary_wanted =
            !self.dependents(path).is_empty() || !self.summaries.contains_key(path);
        let mut analysed = incremental::analyse(text, tree, language, options, &provider, previous);
        let before = self.outgoing_of(path);
        let summary_changed = match analysed.summary.take() {
            Some(summary) if provider.summary_wanted => {
                self.record(path, &provider, &mut analysed.analysis, Some(summary))
            }
            _ => {
                let summary = self.summary(path);
                self.record(path, &provider, &mut analysed.analysis, summary);
                false
            }
        };
        let after = self.outgoing_of(path);
        let mut targets = Vec::new();
        if before != after {
            targets.extend(before.into_iter().map(|(t, _)| t));
            targets.extend(after.into_iter().map(|(t, _)| t));
            targets.sort();
            targets.dedup();
        }
        (
            analysed,
            IndexChange {
                summary_changed,
                targets,
            },
        )
    }

    fn record(
        &self,
        path: &Path,
        provider: &FileProvider<'_>,
        analysis: &mut FileAnalysis,
        summary: Option<Arc<ModuleSummary>>,
    ) -> bool {
        let elsewhere = std::mem::take(&mut analysis.elsewhere);
        self.outgoing.insert(path.to_path_buf(), elsewhere);
        let mut deps = provider.resolved.take();
        deps.sort();
        deps.dedup();
        self.deps.insert(path.to_path_buf(), deps);
        let previous = match summary {
            Some(summary) => self.summaries.insert(path.to_path_buf(), summary.clone()),
            None => self.summaries.remove(path).map(|(_, s)| s),
        };
        let now = self.summaries.get(path).map(|s| s.fingerprint);
        previous.map(|s| s.fingerprint) != now
    }

    /// After `path` changed (and was analysed with [`Workspace::analyse_file`]),
    /// re-analyses the files that depend on it, transitively while their
    /// summaries change, reading their text with `read`. Returns every file
    /// whose findings (own or placed elsewhere) may have changed.
    pub fn update(
        &self,
        path: &Path,
        options: &AnalysisOptions,
        read: &dyn Fn(&Path) -> Option<String>,
    ) -> Vec<PathBuf> {
        let mut touched: Vec<PathBuf> = Vec::new();
        let mut queue: Vec<PathBuf> = self.dependents(path);
        let mut seen: HashSet<PathBuf> = HashSet::default();
        seen.insert(path.to_path_buf());
        while let Some(next) = queue.pop() {
            if !seen.insert(next.clone()) || seen.len() > MAX_UPDATE_FILES {
                continue;
            }
            let Some(language) = self.files.get(&next).map(|l| *l) else {
                continue;
            };
            let Some(text) = read(&next) else { continue };
            let targets_before = self.targets_of(&next);
            let (_, changed) = self.analyse_file(&next, &text, language, options);
            touched.push(next.clone());
            touched.extend(targets_before);
            touched.extend(self.targets_of(&next));
            if changed {
                queue.extend(self.dependents(&next));
            }
        }
        touched.sort();
        touched.dedup();
        touched
    }

    /// The findings `path`'s analysis placed in other files.
    pub fn outgoing_of(&self, path: &Path) -> Vec<(PathBuf, Finding)> {
        self.outgoing
            .get(path)
            .map(|o| o.value().clone())
            .unwrap_or_default()
    }

    /// Files in which `path`'s analysis placed findings.
    pub fn targets_of(&self, path: &Path) -> Vec<PathBuf> {
        self.outgoing
            .get(path)
            .map(|o| o.iter().map(|(t, _)| t.clone()).collect())
            .unwrap_or_default()
    }

    /// Analyses every file of `inputs` (absolute paths with their text) in
    /// dependency order and returns their analyses, with findings placed in
    /// the files that hold their AI calls. `done` is called once per file.
    /// `analyse` keeps each file's syntax tree in the slot it is given (see
    /// [`analysis::analyze_module_reusing`]): members of an import cycle
    /// analysed again are not parsed again. The trees of a cycle live until
    /// its last round.
    pub fn build(
        &self,
        inputs: Vec<(PathBuf, Language, Arc<str>)>,
        analyse: &AnalyseReusing<'_>,
        done: &(dyn Fn(&Path) + Sync),
    ) -> HashMap<PathBuf, FileAnalysis> {
        for (path, language, _) in &inputs {
            self.files.insert(path.clone(), *language);
        }
        let resolutions = Resolutions::default();
        // Import edges from a line scan, resolved like the analysis will.
        let edges: Vec<Vec<usize>> = {
            let index: HashMap<&Path, usize> = inputs
                .iter()
                .enumerate()
                .map(|(i, (p, _, _))| (p.as_path(), i))
                .collect();
            inputs
                .par_iter()
                .map(|(path, language, text)| {
                    let provider =
                        FileProvider::new(self, path, *language, None).sharing(&resolutions);
                    let mut out: Vec<usize> = scan_imports(text, *language)
                        .iter()
                        .filter_map(|spec| provider.resolve(spec))
                        .filter_map(|p| index.get(p.as_path()).copied())
                        .collect();
                    out.sort_unstable();
                    out.dedup();
                    out
                })
                .collect()
        };
        let (components, levels) = schedule(&edges);
        tracing::debug!(
            files = inputs.len(),
            edges = edges.iter().map(Vec::len).sum::<usize>(),
            components = components.len(),
            largest_cycle = components.iter().map(Vec::len).max().unwrap_or(0),
            in_cycles = components
                .iter()
                .filter(|c| c.len() > 1)
                .map(Vec::len)
                .sum::<usize>(),
            levels = levels.iter().max().map_or(0, |l| l + 1),
            "import order"
        );
        let slots: Vec<std::sync::Mutex<Option<FileAnalysis>>> = (0..inputs.len())
            .map(|_| std::sync::Mutex::new(None))
            .collect();
        let level_of: Vec<usize> = {
            let mut out = vec![0; inputs.len()];
            for (c, members) in components.iter().enumerate() {
                for m in members {
                    out[*m] = levels[c];
                }
            }
            out
        };
        let max_level = levels.iter().copied().max().unwrap_or(0);
        let mut by_level: Vec<Vec<usize>> = vec![Vec::new(); max_level + 1];
        for (c, level) in levels.iter().enumerate() {
            by_level[*level].push(c);
        }
        let visible = Visible {
            level_of: &level_of,
            index: inputs
                .iter()
                .enumerate()
                .map(|(i, (p, _, _))| (p.clone(), i))
                .collect(),
        };
        let analyses = std::sync::atomic::AtomicUsize::new(0);
        for (level, comps) in by_level.iter().enumerate() {
            comps.par_iter().for_each(|c| {
                let members = &components[*c];
                // In a cycle, dependencies first as far as the cycle allows;
                // later rounds redo only the files that saw a summary of the
                // cycle that has changed (or was missing) since.
                let order = cycle_order(members, &edges);
                let mut seen: Vec<Vec<Lookup>> = vec![Vec::new(); order.len()];
                let mut trees: Vec<Option<analysis::Parsed>> =
                    (0..order.len()).map(|_| None).collect();
                // One analysis of member `k` (its position in `order`),
                // seeing the cycle as `waves` allows.
                let analyse_member = |k: usize,
                                      tree: &mut Option<analysis::Parsed>,
                                      waves: Option<(&HashMap<usize, usize>, usize)>,
                                      last_round: bool|
                 -> Vec<Lookup> {
                    let m = order[k];
                    let (path, language, text) = &inputs[m];
                    let scope = Scope {
                        visible: &visible,
                        level,
                        component: members,
                        waves,
                    };
                    let provider =
                        FileProvider::new(self, path, *language, Some(scope)).sharing(&resolutions);
                    let out = analyse(path, text, *language, &provider, tree);
                    analyses.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let mut analysis = out.analysis;
                    self.record(path, &provider, &mut analysis, out.summary.map(Arc::new));
                    let seen: Vec<Lookup> = provider
                        .looked_up
                        .take()
                        .into_iter()
                        .filter(|l| {
                            l.can_change()
                                && visible
                                    .index
                                    .get(&l.path)
                                    .is_some_and(|i| members.contains(i))
                        })
                        .collect();
                    // Only a file that saw a summary of its cycle can be
                    // analysed again, and only before the last round.
                    if seen.is_empty() || last_round {
                        *tree = None;
                    }
                    if let Ok(mut slot) = slots[m].lock() {
                        *slot = Some(analysis);
                    }
                    seen
                };
                let single = members.len() == 1 && !edges[members[0]].contains(&members[0]);
                if single {
                    analyse_member(0, &mut trees[0], None, true);
                } else {
                    // First round in waves, each analysed in parallel.
                    let (wave_of, waves) = cycle_waves(&order, &edges);
                    for (wave, ks) in waves.iter().enumerate() {
                        let jobs: Vec<(usize, Option<analysis::Parsed>)> =
                            ks.iter().map(|k| (*k, trees[*k].take())).collect();
                        let finished: Vec<(usize, Vec<Lookup>, Option<analysis::Parsed>)> = jobs
                            .into_par_iter()
                            .map(|(k, mut tree)| {
                                let seen = analyse_member(
                                    k,
                                    &mut tree,
                                    Some((&wave_of, wave)),
                                    MAX_CYCLE_ROUNDS == 1,
                                );
                                (k, seen, tree)
                            })
                            .collect();
                        for (k, seen_k, tree) in finished {
                            seen[k] = seen_k;
                            trees[k] = tree;
                        }
                    }
                    // Later rounds, in order, redo the members that saw a
                    // summary of the cycle that has changed (or was
                    // missing) since.
                    for round in 1..MAX_CYCLE_ROUNDS {
                        let mut any = false;
                        for k in 0..order.len() {
                            if !seen[k].iter().any(|l| self.changed_since(l)) {
                                continue;
                            }
                            any = true;
                            seen[k] = analyse_member(
                                k,
                                &mut trees[k],
                                None,
                                round + 1 == MAX_CYCLE_ROUNDS,
                            );
                        }
                        if !any {
                            break;
                        }
                    }
                }
                for m in members {
                    done(&inputs[*m].0);
                }
            });
        }
        if tracing::enabled!(tracing::Level::DEBUG) {
            // One number for every summary the build ended with: two builds
            // that agree on it exported the same things to importers.
            let mut hasher = rustc_hash::FxHasher::default();
            for (path, _, _) in &inputs {
                std::hash::Hash::hash(&self.summary(path).map(|s| s.fingerprint), &mut hasher);
            }
            tracing::debug!(
                files = inputs.len(),
                analyses = analyses.into_inner(),
                summaries = format!("{:016x}", std::hash::Hasher::finish(&hasher)),
                "workspace analysed"
            );
        }
        slots
            .into_iter()
            .zip(&inputs)
            .filter_map(|(slot, (path, _, _))| {
                let analysis = slot.into_inner().unwrap_or_else(|e| e.into_inner())?;
                Some((path.clone(), analysis))
            })
            .collect()
    }

    // ------------------------------------------------------------ resolution

    fn python_roots(&self) -> Vec<PathBuf> {
        self.python_roots
            .read()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    fn is_file(&self, path: &Path) -> bool {
        self.files.contains_key(path)
    }

    fn tsconfig_for(&self, dir: &Path) -> Option<Arc<TsConfig>> {
        let mut current = Some(dir);
        let mut visited = Vec::new();
        while let Some(d) = current {
            // Clone out of the map before inserting: a DashMap guard held
            // across an insert into the same shard deadlocks.
            let known = self.tsconfigs.get(d).map(|entry| entry.value().clone());
            if let Some(found) = known {
                for v in visited {
                    self.tsconfigs.insert(v, found.clone());
                }
                return found;
            }
            visited.push(d.to_path_buf());
            for name in ["tsconfig.json", "jsconfig.json"] {
                let candidate = d.join(name);
                if let Some(config) = TsConfig::load(&candidate) {
                    let found = Some(Arc::new(config));
                    for v in visited {
                        self.tsconfigs.insert(v, found.clone());
                    }
                    return found;
                }
            }
            current = d.parent();
        }
        for v in visited {
            self.tsconfigs.insert(v, None);
        }
        None
    }
}

/// The analysis [`Workspace::build`] calls for each file: the
/// last argument holds the file's syntax tree (with what the analysis keeps
/// of it), empty until it is parsed.
pub type AnalyseReusing<'a> = dyn Fn(
        &Path,
        &str,
        Language,
        &dyn ModuleProvider,
        &mut Option<analysis::Parsed>,
    ) -> FileAnalysisWithSummary
    + Sync
    + 'a;

/// The analysis entry point [`Workspace::build`] calls for each file.
#[derive(Default)]
pub struct FileAnalysisWithSummary {
    pub analysis: FileAnalysis,
    pub summary: Option<ModuleSummary>,
}

impl FileAnalysisWithSummary {
    /// [`analysis::analyze_module_reusing`] with a panic contained, so that
    /// a build goes on: `Err` holds the panic's payload for the caller to
    /// report.
    pub fn contained(
        text: &str,
        language: Language,
        options: &AnalysisOptions,
        provider: &dyn ModuleProvider,
        tree: &mut Option<analysis::Parsed>,
    ) -> Result<FileAnalysisWithSummary, Box<dyn std::any::Any + Send>> {
        let run = || analysis::analyze_module_reusing(text, language, options, provider, tree);
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(run))
            .map(|(analysis, summary)| FileAnalysisWithSummary { analysis, summary })
    }
}

struct Visible<'w> {
    level_of: &'w [usize],
    index: HashMap<PathBuf, usize>,
}

/// Which modules a file may see during a build: those of earlier levels and
/// of its own import cycle, so results do not depend on thread timing.
#[derive(Clone, Copy)]
struct Scope<'w> {
    visible: &'w Visible<'w>,
    level: usize,
    component: &'w [usize],
    /// During a cycle's first round, analysed in waves: each member's wave
    /// and the current one. Members of this wave or later count as not
    /// analysed yet, however far other threads have got.
    waves: Option<(&'w HashMap<usize, usize>, usize)>,
}

/// What a file's analysis may see of another file during a build.
enum Access {
    Visible,
    /// A member of its cycle not analysed yet: no summary, but a lookup
    /// that the next round checks.
    NotYet,
    Hidden,
}

impl Scope<'_> {
    fn access(&self, path: &Path) -> Access {
        let Some(i) = self.visible.index.get(path) else {
            // Files outside the build (the language server's open documents).
            return Access::Visible;
        };
        if self.visible.level_of[*i] < self.level {
            return Access::Visible;
        }
        if !self.component.contains(i) {
            return Access::Hidden;
        }
        match self.waves {
            Some((wave_of, now)) if wave_of.get(i).is_none_or(|w| *w >= now) => Access::NotYet,
            _ => Access::Visible,
        }
    }
}

/// The provider one file's analysis uses.
pub struct FileProvider<'w> {
    workspace: &'w Workspace,
    file: Arc<Path>,
    dir: PathBuf,
    language: Language,
    scope: Option<Scope<'w>>,
    resolved: RefCell<Vec<PathBuf>>,
    /// Each module looked up, with the summary it had and what was read of it.
    looked_up: RefCell<Vec<Lookup>>,
    summary_wanted: bool,
    cache: RefCell<HashMap<String, Option<PathBuf>>>,
    /// Resolutions shared with the other files of the folder (during a build).
    shared: Option<Arc<FolderResolutions>>,
}

/// What each import spec resolves to from one folder, for one language
/// family (before a file's own path is left out), and the folders absolute
/// Python imports are looked up in from there.
#[derive(Default)]
struct FolderResolutions {
    specs: std::sync::Mutex<HashMap<String, Option<PathBuf>>>,
    python_bases: std::sync::OnceLock<Vec<PathBuf>>,
}

/// Import resolutions of a build, by folder and language family. A spec
/// resolves the same way from every file of a folder, and the files,
/// roots and `tsconfig.json` files do not change during a build; files
/// of one folder import much the same modules, and files of an import
/// cycle are analysed more than once.
#[derive(Default)]
struct Resolutions {
    by_folder: DashMap<(PathBuf, bool), Arc<FolderResolutions>, rustc_hash::FxBuildHasher>,
}

impl Resolutions {
    fn folder(&self, dir: &Path, language: Language) -> Arc<FolderResolutions> {
        let key = (dir.to_path_buf(), language.is_javascript_family());
        if let Some(found) = self.by_folder.get(&key) {
            return found.clone();
        }
        self.by_folder.entry(key).or_default().clone()
    }
}

impl<'w> FileProvider<'w> {
    fn new(
        workspace: &'w Workspace,
        path: &Path,
        language: Language,
        scope: Option<Scope<'w>>,
    ) -> FileProvider<'w> {
        let path = crate::check::normalize(path);
        FileProvider {
            workspace,
            dir: path.parent().map(Path::to_path_buf).unwrap_or_default(),
            file: Arc::from(path.as_path()),
            language,
            scope,
            resolved: RefCell::new(Vec::new()),
            looked_up: RefCell::new(Vec::new()),
            summary_wanted: true,
            cache: RefCell::new(HashMap::default()),
            shared: None,
        }
    }

    /// Shares resolutions with the other files of the folder.
    fn sharing(mut self, resolutions: &Resolutions) -> Self {
        self.shared = Some(resolutions.folder(&self.dir, self.language));
        self
    }

    /// The file an import names, if it is in the workspace.
    pub fn resolve(&self, spec: &str) -> Option<PathBuf> {
        if let Some(known) = self.cache.borrow().get(spec) {
            return known.clone();
        }
        let shared = self
            .shared
            .as_ref()
            .and_then(|s| s.specs.lock().ok()?.get(spec).cloned());
        let found = match shared {
            Some(found) => found,
            None => {
                let found = if self.language.is_javascript_family() {
                    self.resolve_js(spec)
                } else {
                    self.resolve_python(spec)
                };
                if let Some(Ok(mut shared)) = self.shared.as_ref().map(|s| s.specs.lock()) {
                    shared.insert(spec.to_string(), found.clone());
                }
                found
            }
        };
        let found = found.filter(|p| p.as_path() != &*self.file);
        self.cache
            .borrow_mut()
            .insert(spec.to_string(), found.clone());
        found
    }

    fn resolve_python(&self, spec: &str) -> Option<PathBuf> {
        let dots = spec.chars().take_while(|c| *c == '.').count();
        let rest = &spec[dots..];
        let parts: Vec<&str> = rest.split('.').filter(|p| !p.is_empty()).collect();
        if parts
            .iter()
            .any(|p| !p.chars().all(|c| c.is_alphanumeric() || c == '_'))
        {
            return None;
        }
        let candidates = |base: &Path| -> Option<PathBuf> {
            let mut module = base.to_path_buf();
            for part in &parts {
                module.push(part);
            }
            let file = module.with_extension("py");
            if !parts.is_empty() && self.workspace.is_file(&file) {
                return Some(file);
            }
            let init = module.join("__init__.py");
            if self.workspace.is_file(&init) {
                return Some(init);
            }
            None
        };
        if dots > 0 {
            let mut base = self.dir.clone();
            for _ in 1..dots {
                base = base.parent()?.to_path_buf();
            }
            return candidates(&base);
        }
        match &self.shared {
            Some(shared) => shared
                .python_bases
                .get_or_init(|| self.python_bases())
                .iter()
                .find_map(|base| candidates(base)),
            None => self.python_bases().iter().find_map(|base| candidates(base)),
        }
    }

    /// Where absolute Python imports are looked up from this file's folder:
    /// the folder itself (scripts importing their siblings), the folder
    /// above its top-level package, then the workspace roots.
    fn python_bases(&self) -> Vec<PathBuf> {
        let mut bases = vec![self.dir.clone()];
        let mut top = self.dir.clone();
        while self.workspace.is_file(&top.join("__init__.py")) {
            match top.parent() {
                Some(parent) => top = parent.to_path_buf(),
                None => break,
            }
        }
        if top != self.dir {
            bases.push(top);
        }
        bases.extend(self.workspace.python_roots());
        bases
    }

    fn resolve_js(&self, spec: &str) -> Option<PathBuf> {
        if spec.starts_with("./") || spec.starts_with("../") || spec == "." || spec == ".." {
            return self.js_file(&crate::check::normalize(&self.dir.join(spec)));
        }
        let config = self.workspace.tsconfig_for(&self.dir)?;
        for target in config.candidates(spec) {
            if let Some(found) = self.js_file(&target) {
                return Some(found);
            }
        }
        None
    }

    /// A module path as Node and TypeScript look it up: as is, with an
    /// extension, as a folder with an `index`, and `./x.js` written for `x.ts`.
    fn js_file(&self, base: &Path) -> Option<PathBuf> {
        const EXTENSIONS: [&str; 8] = ["ts", "tsx", "js", "jsx", "mjs", "cjs", "mts", "cts"];
        if self.workspace.is_file(base) {
            return Some(base.to_path_buf());
        }
        let text = base.to_string_lossy();
        for ext in EXTENSIONS {
            let candidate = PathBuf::from(format!("{text}.{ext}"));
            if self.workspace.is_file(&candidate) {
                return Some(candidate);
            }
        }
        for ext in EXTENSIONS {
            let candidate = base.join(format!("index.{ext}"));
            if self.workspace.is_file(&candidate) {
                return Some(candidate);
            }
        }
        for (written, real) in [("js", "ts"), ("js", "tsx"), ("jsx", "tsx"), ("mjs", "mts")] {
            if base.extension().is_some_and(|e| e == written) {
                let candidate = base.with_extension(real);
                if self.workspace.is_file(&candidate) {
                    return Some(candidate);
                }
            }
        }
        None
    }
}

impl ModuleProvider for FileProvider<'_> {
    fn file(&self) -> Option<Arc<Path>> {
        Some(self.file.clone())
    }

    fn wants_summary(&self) -> bool {
        self.summary_wanted
    }

    fn module(&self, spec: &str) -> Option<Arc<ModuleSummary>> {
        let path = self.resolve(spec)?;
        let access = self
            .scope
            .as_ref()
            .map_or(Access::Visible, |s| s.access(&path));
        if matches!(access, Access::Hidden) {
            return None;
        }
        self.resolved.borrow_mut().push(path.clone());
        let summary = match access {
            Access::Visible => self.workspace.summary(&path),
            Access::NotYet | Access::Hidden => None,
        };
        let mut looked_up = self.looked_up.borrow_mut();
        if !looked_up.iter().any(|l| l.path == path) {
            looked_up.push(Lookup {
                path,
                summary: summary.clone(),
                whole: false,
                names: HashSet::default(),
            });
        }
        summary
    }

    fn observe(&self, module: &Arc<ModuleSummary>, name: Option<&str>) {
        let mut looked_up = self.looked_up.borrow_mut();
        // Summaries reached inside other summaries are those modules' business.
        let Some(lookup) = looked_up
            .iter_mut()
            .find(|l| l.summary.as_ref().is_some_and(|s| Arc::ptr_eq(s, module)))
        else {
            return;
        };
        match name {
            None => lookup.whole = true,
            Some(name) => {
                if !lookup.whole && !lookup.names.contains(name) {
                    lookup.names.insert(name.to_string());
                }
            }
        }
    }
}

/// A module one analysis looked up: the summary it got and what it read
/// of it.
#[derive(Clone)]
struct Lookup {
    path: PathBuf,
    summary: Option<Arc<ModuleSummary>>,
    /// Depends on the whole summary (kept in the file's own summary).
    whole: bool,
    /// Exported names read (also those it found missing).
    names: HashSet<String>,
}

impl Lookup {
    /// Whether a new summary of the module could change the analysis: it
    /// was missing, or something of it was read.
    fn can_change(&self) -> bool {
        self.summary.is_none() || self.whole || !self.names.is_empty()
    }
}

impl Workspace {
    /// Whether the module of `lookup` now has a summary that answers what
    /// was read of it differently.
    fn changed_since(&self, lookup: &Lookup) -> bool {
        match (&lookup.summary, self.summary(&lookup.path)) {
            (None, None) => false,
            (Some(seen), Some(now)) if Arc::ptr_eq(seen, &now) => false,
            (Some(seen), Some(now)) if lookup.whole => seen.fingerprint != now.fingerprint,
            (Some(seen), Some(now)) => lookup
                .names
                .iter()
                .any(|name| seen.export_fingerprint(name) != now.export_fingerprint(name)),
            _ => true,
        }
    }
}

// ------------------------------------------------------------ scheduling

/// Strongly connected components of the import graph (Tarjan, iterative)
/// and each component's level: one more than the highest level among the
/// components it imports, so a level only needs earlier ones.
fn schedule(edges: &[Vec<usize>]) -> (Vec<Vec<usize>>, Vec<usize>) {
    let n = edges.len();
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut component_of = vec![usize::MAX; n];
    let mut components: Vec<Vec<usize>> = Vec::new();
    let mut next = 0;
    for start in 0..n {
        if index[start] != usize::MAX {
            continue;
        }
        let mut work: Vec<(usize, usize)> = vec![(start, 0)];
        index[start] = next;
        low[start] = next;
        next += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some((v, i)) = work.pop() {
            if i < edges[v].len() {
                work.push((v, i + 1));
                let w = edges[v][i];
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component_of[w] = components.len();
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                members.sort_unstable();
                components.push(members);
            }
            if let Some((parent, _)) = work.last() {
                low[*parent] = low[*parent].min(low[v]);
            }
        }
    }
    // Tarjan emits components in reverse topological order: dependencies first.
    let mut levels = vec![0; components.len()];
    for (c, members) in components.iter().enumerate() {
        let mut level = 0;
        for m in members {
            for w in &edges[*m] {
                let d = component_of[*w];
                if d != c {
                    level = level.max(levels[d] + 1);
                }
            }
        }
        levels[c] = level;
    }
    (components, levels)
}

/// The members of an import cycle in DFS post-order over the edges inside
/// it (dependencies before their importers where the cycle allows).
fn cycle_order(members: &[usize], edges: &[Vec<usize>]) -> Vec<usize> {
    if members.len() == 1 {
        return members.to_vec();
    }
    let mut visited: HashSet<usize> = HashSet::default();
    let mut order = Vec::with_capacity(members.len());
    for &start in members {
        if !visited.insert(start) {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        while let Some((v, i)) = stack.pop() {
            let next = edges[v][i..]
                .iter()
                .position(|w| members.binary_search(w).is_ok() && !visited.contains(w));
            match next {
                Some(offset) => {
                    let w = edges[v][i + offset];
                    stack.push((v, i + offset + 1));
                    visited.insert(w);
                    stack.push((w, 0));
                }
                None => order.push(v),
            }
        }
    }
    order
}

/// The first round of a cycle in waves: a member (by its position in
/// `order`) goes in the wave after the last earlier member it imports, so it
/// sees what it would have seen analysed in order, and the members of one
/// wave do not import each other. Also each member's wave, by file index.
fn cycle_waves(order: &[usize], edges: &[Vec<usize>]) -> (HashMap<usize, usize>, Vec<Vec<usize>>) {
    let position: HashMap<usize, usize> = order.iter().enumerate().map(|(k, m)| (*m, k)).collect();
    let mut wave_of: HashMap<usize, usize> = HashMap::default();
    let mut waves: Vec<Vec<usize>> = Vec::new();
    for (k, m) in order.iter().enumerate() {
        let wave = edges[*m]
            .iter()
            .filter(|d| position.get(d).is_some_and(|j| *j < k))
            .filter_map(|d| wave_of.get(d))
            .map(|w| w + 1)
            .max()
            .unwrap_or(0);
        wave_of.insert(*m, wave);
        if waves.len() <= wave {
            waves.resize_with(wave + 1, Vec::new);
        }
        waves[wave].push(k);
    }
    (wave_of, waves)
}

/// Module specs a file imports, found line by line without parsing: enough
/// to order the analysis. The analysis resolves imports from the syntax tree.
pub fn scan_imports(text: &str, language: Language) -> Vec<String> {
    let mut out = Vec::new();
    if language.is_javascript_family() {
        for (i, _) in text.match_indices(['\'', '"']) {
            // A quoted spec right after `from`, `import`, `require(` or `import(`.
            let before = text[..i].trim_end();
            let before = before.strip_suffix('(').unwrap_or(before).trim_end();
            if !(before.ends_with("from")
                || before.ends_with("import")
                || before.ends_with("require"))
            {
                continue;
            }
            let quote = &text[i..i + 1];
            let rest = &text[i + 1..];
            if let Some(end) = rest.find(quote) {
                let spec = &rest[..end];
                if !spec.is_empty() && spec.len() < 300 && !spec.contains('\n') {
                    out.push(spec.to_string());
                }
            }
        }
    } else {
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let line = line.trim_start();
            if let Some(rest) = line.strip_prefix("from ") {
                let mut words = rest.split_whitespace();
                let Some(module) = words.next() else { continue };
                out.push(module.to_string());
                // `from pkg import a, b` may name submodules.
                if let Some(names) = rest.split_once(" import ").map(|(_, n)| n) {
                    let mut names = names.to_string();
                    if names.trim_start().starts_with('(') {
                        while !names.contains(')') {
                            match lines.next() {
                                Some(more) => names.push_str(more),
                                None => break,
                            }
                        }
                    }
                    let names = names.split('#').next().unwrap_or("");
                    for name in names.split([',', '(', ')', '\\']) {
                        let name = name.split_whitespace().next().unwrap_or("");
                        if !name.is_empty() && name != "*" {
                            let sep = if module.ends_with('.') { "" } else { "." };
                            out.push(format!("{module}{sep}{name}"));
                        }
                    }
                }
            } else if let Some(rest) = line.strip_prefix("import ") {
                for module in rest.split('#').next().unwrap_or("").split(',') {
                    if let Some(name) = module.split_whitespace().next() {
                        out.push(name.to_string());
                        if let Some((root, _)) = name.split_once('.') {
                            out.push(root.to_string());
                        }
                    }
                }
            }
        }
    }
    out
}

// ------------------------------------------------------------ tsconfig

/// `compilerOptions.baseUrl` and `paths` of a `tsconfig.json` or
/// `jsconfig.json` (following one level of `extends` to a relative file).
#[derive(Debug, Default)]
struct TsConfig {
    base: PathBuf,
    /// Patterns (`@/*`) and their targets (`./src/*`), relative to `base`.
    paths: Vec<(String, Vec<String>)>,
    has_base_url: bool,
}

impl TsConfig {
    fn load(path: &Path) -> Option<TsConfig> {
        Self::load_at(path, 0)
    }

    fn load_at(path: &Path, depth: usize) -> Option<TsConfig> {
        let text = std::fs::read_to_string(path).ok()?;
        let json: serde_json::Value = serde_json::from_str(&strip_json_comments(&text)).ok()?;
        let dir = path.parent()?.to_path_buf();
        let mut config = json
            .get("extends")
            .and_then(|e| e.as_str())
            .filter(|e| e.starts_with('.') && depth < 3)
            .and_then(|e| {
                let mut target = dir.join(e);
                if target.extension().is_none() {
                    target.set_extension("json");
                }
                Self::load_at(&target, depth + 1)
            })
            .unwrap_or_else(|| TsConfig {
                base: dir.clone(),
                ..TsConfig::default()
            });
        let options = json.get("compilerOptions");
        if let Some(base) = options
            .and_then(|o| o.get("baseUrl"))
            .and_then(|b| b.as_str())
        {
            config.base = crate::check::normalize(&dir.join(base));
            config.has_base_url = true;
        }
        if let Some(paths) = options
            .and_then(|o| o.get("paths"))
            .and_then(|p| p.as_object())
        {
            if !config.has_base_url {
                // Without baseUrl, paths are relative to the config file.
                config.base = dir.clone();
            }
            config.paths = paths
                .iter()
                .map(|(pattern, targets)| {
                    let targets = targets
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(|t| t.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    (pattern.clone(), targets)
                })
                .collect();
        }
        Some(config)
    }

    /// Files a non-relative spec may name, most specific pattern first.
    fn candidates(&self, spec: &str) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut patterns: Vec<&(String, Vec<String>)> = self.paths.iter().collect();
        patterns.sort_by_key(|(p, _)| std::cmp::Reverse(p.len()));
        for (pattern, targets) in patterns {
            let matched = match pattern.split_once('*') {
                Some((prefix, suffix)) => spec
                    .strip_prefix(prefix)
                    .and_then(|rest| rest.strip_suffix(suffix)),
                None => (spec == pattern).then_some(""),
            };
            if let Some(star) = matched {
                for target in targets {
                    let target = target.replace('*', star);
                    out.push(crate::check::normalize(&self.base.join(target)));
                }
            }
        }
        if self.has_base_url {
            out.push(crate::check::normalize(&self.base.join(spec)));
        }
        out
    }
}

/// JSON with comments and trailing commas (as `tsconfig.json` allows) made
/// plain JSON.
fn strip_json_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out.push('\n');
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                for n in chars.by_ref() {
                    if last == '*' && n == '/' {
                        break;
                    }
                    last = n;
                }
            }
            _ => out.push(c),
        }
    }
    // Trailing commas before `}` or `]`.
    let mut cleaned = String::with_capacity(out.len());
    let bytes: Vec<char> = out.chars().collect();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        if in_string {
            cleaned.push(c);
            if c == '\\' && i + 1 < bytes.len() {
                cleaned.push(bytes[i + 1]);
                i += 1;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            cleaned.push(c);
        } else if c == ',' {
            let next = bytes[i + 1..].iter().find(|c| !c.is_whitespace());
            if !matches!(next, Some('}') | Some(']')) {
                cleaned.push(c);
            }
        } else {
            cleaned.push(c);
        }
        i += 1;
    }
    cleaned
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cycles_share_a_component_and_dependencies_come_first() {
        // 0 -> 1 -> 2 -> 1 (cycle 1,2), 3 -> 0
        let edges = vec![vec![1], vec![2], vec![1], vec![0]];
        let (components, levels) = schedule(&edges);
        let level_of = |file: usize| {
            let c = components.iter().position(|m| m.contains(&file)).unwrap();
            (levels[c], components[c].len())
        };
        assert_eq!(level_of(1), (0, 2));
        assert_eq!(level_of(2), (0, 2));
        assert_eq!(level_of(0), (1, 1));
        assert_eq!(level_of(3), (2, 1));
    }

    /// An empty folder of its own under the system's temporary folder.
    fn scratch_dir(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("privacy-lens-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// An import cycle where `b` is analysed before `a` (it sees no summary
    /// of `a` at first), `c` reads only a constant of `b`, and `a` reads a
    /// function of `b` whose return value changes once `b` sees `a`.
    #[test]
    fn cycle_members_are_analysed_again_only_when_what_they_read_changed() {
        let dir = scratch_dir("cycle-reads");
        let files = [
            (
                "a.py",
                "import openai\nfrom b import make_prompt\nfrom c import LABEL\n\n\
                 contact = current_user().email\n\n\
                 def ask():\n    \
                 return openai.chat.completions.create(model=\"gpt-4o\", \
                 messages=[{\"role\": \"user\", \"content\": make_prompt()}])\n",
            ),
            (
                "b.py",
                "from a import contact\n\nGREETING = \"Hello\"\n\n\
                 def make_prompt():\n    return GREETING + contact\n",
            ),
            (
                "c.py",
                "from b import GREETING\n\nLABEL = GREETING + \"!\"\n",
            ),
        ];
        let workspace = Workspace::new();
        workspace.add_root(&dir);
        let inputs: Vec<(PathBuf, Language, Arc<str>)> = files
            .iter()
            .map(|(name, text)| {
                let path = crate::check::normalize(&dir.join(name));
                std::fs::write(&path, text).unwrap();
                (path, Language::Python, Arc::from(*text))
            })
            .collect();
        let analysed: std::sync::Mutex<Vec<String>> = Default::default();
        let options = crate::analysis::AnalysisOptions::default();
        let results = workspace.build(
            inputs,
            &|path, text, language, provider, tree| {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                analysed.lock().unwrap().push(name);
                let (analysis, summary) =
                    analysis::analyze_module_reusing(text, language, &options, provider, tree);
                FileAnalysisWithSummary { analysis, summary }
            },
            &|_| {},
        );
        let analysed = analysed.into_inner().unwrap();
        let count = |name: &str| analysed.iter().filter(|n| *n == name).count();
        assert_eq!(
            &analysed[..3],
            ["b.py", "c.py", "a.py"],
            "the order this test relies on"
        );
        assert_eq!(
            count("b.py"),
            2,
            "b saw no summary of a at first: {analysed:?}"
        );
        assert_eq!(
            count("a.py"),
            2,
            "make_prompt changed under a: {analysed:?}"
        );
        assert_eq!(count("c.py"), 1, "GREETING did not change: {analysed:?}");
        let a = &results[&crate::check::normalize(&dir.join("a.py"))];
        assert!(
            a.findings
                .iter()
                .any(|f| f.categories.iter().any(|c| c.contains("email"))),
            "the e-mail reaches the LLM call through b: {:?}",
            a.findings
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A file's findings, findings placed elsewhere and summary fingerprint.
    type BuildOutcome = (PathBuf, Vec<Finding>, Vec<(PathBuf, Finding)>, Option<u64>);

    /// A cycle's first round runs in parallel waves; what each member sees
    /// must not depend on the threads: one thread and four give the same
    /// findings and summaries.
    #[test]
    fn a_cycle_analysed_in_waves_does_not_depend_on_threads() {
        let dir = scratch_dir("cycle-waves");
        // A hub every module imports and that imports them all back, plus a
        // chain: m_i passes the customer's e-mail on to m_{i+1}, and the last
        // one sends it to an LLM.
        let n = 24;
        let mut files = vec![(
            "hub.py".to_string(),
            (0..n)
                .map(|i| format!("from m{i} import step_{i}\n"))
                .collect::<String>(),
        )];
        for i in 0..n {
            let body = if i + 1 < n {
                format!(
                    "from hub import *\nfrom m{next} import step_{next}\n\n\
                     def step_{i}(contact):\n    return step_{next}(contact)\n",
                    next = i + 1
                )
            } else {
                format!(
                    "import openai\nfrom hub import *\n\n\
                     def step_{i}(contact):\n    \
                     return openai.chat.completions.create(model=\"gpt-4o\", \
                     messages=[{{\"role\": \"user\", \"content\": contact}}])\n"
                )
            };
            files.push((format!("m{i}.py"), body));
        }
        files.push((
            "app.py".to_string(),
            "from m0 import step_0\n\ndef handle(customer):\n    \
             return step_0(customer.email)\n"
                .to_string(),
        ));
        let inputs: Vec<(PathBuf, Language, Arc<str>)> = files
            .iter()
            .map(|(name, text)| {
                let path = crate::check::normalize(&dir.join(name));
                std::fs::write(&path, text).unwrap();
                (path, Language::Python, Arc::from(text.as_str()))
            })
            .collect();
        let options = crate::analysis::AnalysisOptions::default();
        let build = |threads: usize| {
            let workspace = Workspace::new();
            workspace.add_root(&dir);
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let results = pool.install(|| {
                workspace.build(
                    inputs.clone(),
                    &|_, text, language, provider, tree| {
                        let (analysis, summary) = analysis::analyze_module_reusing(
                            text, language, &options, provider, tree,
                        );
                        FileAnalysisWithSummary { analysis, summary }
                    },
                    &|_| {},
                )
            });
            let mut out: Vec<BuildOutcome> = results
                .into_iter()
                .map(|(path, analysis)| {
                    let fingerprint = workspace.summary(&path).map(|s| s.fingerprint);
                    let elsewhere = workspace.outgoing_of(&path);
                    (path, analysis.findings, elsewhere, fingerprint)
                })
                .collect();
            out.sort_by(|a, b| a.0.cmp(&b.0));
            out
        };
        let one = build(1);
        let placed: usize = one.iter().map(|(_, f, e, _)| f.len() + e.len()).sum();
        assert!(placed > 0, "the e-mail reaches the LLM through the chain");
        for _ in 0..3 {
            assert!(build(4) == one, "four threads saw the cycle differently");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Each member comes after every earlier member it imports, in a later
    /// wave; the rest of the cycle (back edges) does not hold it back.
    #[test]
    fn cycle_waves_put_members_after_the_earlier_members_they_import() {
        // Files 0..4 in this order: 1 imports 0, 2 imports 0 and 3 (a back
        // edge), 3 imports 1 and 2.
        let edges = vec![vec![], vec![0], vec![0, 3], vec![1, 2]];
        let (wave_of, waves) = cycle_waves(&[0, 1, 2, 3], &edges);
        assert_eq!(waves, [vec![0], vec![1, 2], vec![3]]);
        assert_eq!(wave_of[&3], 2);
    }

    #[test]
    fn python_import_scan_finds_modules_and_possible_submodules() {
        let text = "import os, app.db as db\nfrom . import prompts\nfrom .llm import (\n    ask,\n    embed,\n)\n";
        let specs = scan_imports(text, Language::Python);
        for wanted in [
            "os",
            "app.db",
            "app",
            ".",
            ".prompts",
            ".llm",
            ".llm.ask",
            ".llm.embed",
        ] {
            assert!(
                specs.iter().any(|s| s == wanted),
                "{wanted} missing from {specs:?}"
            );
        }
    }

    #[test]
    fn javascript_import_scan_finds_every_form() {
        let text = "import a from './a';\nexport { b } from \"../b\";\nconst c = require('./c');\nconst d = await import('@/d');\nconst s = 'not an import';";
        let specs = scan_imports(text, Language::TypeScript);
        assert_eq!(specs, vec!["./a", "../b", "./c", "@/d"]);
    }

    /// Lookups from many folders under one `tsconfig.json` reuse cached
    /// answers while caching new ones (this once deadlocked on a map shard).
    #[test]
    fn tsconfig_lookups_from_nested_folders_resolve_aliases() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::write(
            root.join("tsconfig.json"),
            r#"{ "compilerOptions": { "paths": { "@/*": ["./src/*"] } } }"#,
        )
        .unwrap();
        let workspace = Workspace::new();
        let target = root.join("src/lib/ai.ts");
        workspace.add_file(&target, Language::TypeScript);
        let mut deep = root.join("src");
        for level in 0..40 {
            deep.push(format!("d{level}"));
            let file = deep.join("route.ts");
            let provider = FileProvider::new(&workspace, &file, Language::TypeScript, None);
            assert_eq!(
                provider.resolve("@/lib/ai"),
                Some(target.clone()),
                "{level}"
            );
        }
        // From the top again: every folder on the way is cached now.
        for level in (0..40).rev().step_by(3) {
            let mut dir = root.join("src");
            for l in 0..=level {
                dir.push(format!("d{l}"));
            }
            let provider =
                FileProvider::new(&workspace, &dir.join("x.ts"), Language::TypeScript, None);
            assert_eq!(provider.resolve("@/lib/ai"), Some(target.clone()));
            assert_eq!(provider.resolve("react"), None);
        }
    }

    #[test]
    fn tsconfig_with_comments_and_trailing_commas_parses() {
        let text = "{\n // comment\n \"compilerOptions\": { \"baseUrl\": \".\", /* x */ \"paths\": { \"@/*\": [\"./src/*\",], }, },\n}";
        let json: serde_json::Value = serde_json::from_str(&strip_json_comments(text)).unwrap();
        assert_eq!(json["compilerOptions"]["paths"]["@/*"][0], "./src/*");
    }
}
