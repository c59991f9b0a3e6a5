//! `check --diff BASE`: keep only the flows a change introduced since a git
//! revision, for pull requests.
//!
//! The versions at `BASE` come from the `git` binary (`git diff`, `git
//! ls-tree`, `git cat-file`); nothing is checked out and no analysed code is
//! run. A finding is new when its flow identity
//! ([`crate::report::fingerprint`]: rule, file, AI call, categories, status,
//! sources — never line numbers) occurs more often in the working tree than
//! in the base version of its file. So:
//!
//! - findings in files that did not change since `BASE` are old;
//! - in a changed file, its base version is analysed with the same options
//!   and configuration, and flows are matched by identity, so moving code or
//!   editing above a flow does not make it new, while a new category, a new
//!   source or a removed tag does;
//! - a renamed file is compared with its old version (git's rename
//!   detection), so a rename alone introduces nothing;
//! - added, copied, untracked or git-ignored files have no base: all their
//!   findings are new.
//!
//! The working tree's configuration is used for both versions: changing
//! severities does not make old flows new.
//!
//! With cross-file analysis (the default) the base side is analysed as a
//! workspace too, from the base versions of the changed files and the current
//! text of the others, so a flow through an unchanged helper is not new. A
//! finding whose sources or steps lie in a changed file is compared even when
//! its own file did not change.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::analysis;
use crate::check::{CheckOptions, CheckResult};
use crate::config;
use crate::report::{fingerprint, path_string};

#[derive(Debug, thiserror::Error)]
pub enum DiffError {
    #[error("cannot run git: {0}")]
    Git(#[source] std::io::Error),
    #[error("{} is not in a git repository (--diff needs one)", .0.display())]
    NotARepository(PathBuf),
    #[error("unknown git revision `{0}`")]
    UnknownRevision(String),
    #[error("git {command} failed: {message}")]
    Failed { command: String, message: String },
}

/// What the comparison found, for the log.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiffSummary {
    /// The commit `BASE` resolved to.
    pub base_commit: String,
    /// Files compared with a base version.
    pub changed_files: usize,
    /// Files with no base version (added, untracked, ignored).
    pub new_files: usize,
    /// Findings dropped because they already existed at `BASE`.
    pub dropped: usize,
}

/// How a file of the working tree relates to `BASE`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum BaseVersion {
    /// Identical at `BASE`.
    Unchanged,
    /// Changed; the path its base version has (differs after a rename).
    Changed(String),
    /// No base version.
    Added,
}

/// The repository state at `BASE` as far as the diff needs it.
struct Repository {
    toplevel: PathBuf,
    base: String,
    /// Paths relative to the top level that differ from `BASE`, each with
    /// its path at `BASE` (`None`: added or copied).
    changed: HashMap<String, Option<String>>,
    /// Every path at `BASE`.
    tree: HashSet<String>,
}

impl Repository {
    fn open(dir: &Path, base: &str) -> Result<Repository, DiffError> {
        if base.starts_with('-') || base.is_empty() {
            return Err(DiffError::UnknownRevision(base.to_string()));
        }
        let toplevel = match git(dir, &["rev-parse", "--show-toplevel"]) {
            Ok(out) => PathBuf::from(String::from_utf8_lossy(&out).trim()),
            Err(DiffError::Failed { .. }) => {
                return Err(DiffError::NotARepository(dir.to_path_buf()));
            }
            Err(err) => return Err(err),
        };
        let toplevel = toplevel.canonicalize().unwrap_or(toplevel);
        let commit = git(
            &toplevel,
            &[
                "rev-parse",
                "--verify",
                "--quiet",
                "--end-of-options",
                &format!("{base}^{{commit}}"),
            ],
        )
        .map_err(|err| match err {
            DiffError::Failed { .. } => DiffError::UnknownRevision(base.to_string()),
            other => other,
        })?;
        let commit = String::from_utf8_lossy(&commit).trim().to_string();

        let mut changed = HashMap::new();
        let status = git(
            &toplevel,
            &[
                "diff",
                "--name-status",
                "-z",
                "-M",
                "--no-ext-diff",
                "--no-textconv",
                &commit,
                "--",
            ],
        )?;
        let mut fields = status
            .split(|&b| b == 0)
            .map(|f| String::from_utf8_lossy(f).into_owned());
        while let Some(code) = fields.next() {
            let Some(kind) = code.chars().next() else {
                continue;
            };
            match kind {
                'R' | 'C' => {
                    let (Some(old), Some(new)) = (fields.next(), fields.next()) else {
                        break;
                    };
                    // A copy is new code in a new place; a rename is not.
                    changed.insert(new, (kind == 'R').then_some(old));
                }
                'D' => {
                    fields.next();
                }
                'A' => {
                    if let Some(path) = fields.next() {
                        changed.insert(path, None);
                    }
                }
                _ => {
                    if let Some(path) = fields.next() {
                        changed.insert(path.clone(), Some(path));
                    }
                }
            }
        }
        let untracked = git(
            &toplevel,
            &["ls-files", "--others", "--exclude-standard", "-z"],
        )?;
        for path in untracked.split(|&b| b == 0).filter(|p| !p.is_empty()) {
            changed.insert(String::from_utf8_lossy(path).into_owned(), None);
        }
        let listing = git(&toplevel, &["ls-tree", "-r", "-z", "--name-only", &commit])?;
        let tree = listing
            .split(|&b| b == 0)
            .filter(|p| !p.is_empty())
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect();
        Ok(Repository {
            toplevel,
            base: commit,
            changed,
            tree,
        })
    }

    /// The path of a working-tree file relative to the top level, `/`-separated.
    fn relative(&self, path: &Path) -> Option<String> {
        let absolute = path.canonicalize().ok()?;
        let relative = absolute.strip_prefix(&self.toplevel).ok()?;
        Some(path_string(relative))
    }

    fn version(&self, relative: &str) -> BaseVersion {
        match self.changed.get(relative) {
            Some(Some(old)) if self.tree.contains(old) => BaseVersion::Changed(old.clone()),
            Some(_) => BaseVersion::Added,
            None if self.tree.contains(relative) => BaseVersion::Unchanged,
            None => BaseVersion::Added,
        }
    }

    fn base_text(&self, path: &str) -> Option<String> {
        let bytes = git(
            &self.toplevel,
            &["cat-file", "blob", &format!("{}:{path}", self.base)],
        )
        .ok()?;
        String::from_utf8(bytes).ok()
    }
}

fn git(dir: &Path, args: &[&str]) -> Result<Vec<u8>, DiffError> {
    // A repository's own configuration can name programs for git to run
    // (`core.fsmonitor`); switch that off for these read-only queries.
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "core.fsmonitor=false"])
        .args(args)
        .env("GIT_OPTIONAL_LOCKS", "0")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(DiffError::Git)?;
    if output.status.success() {
        Ok(output.stdout)
    } else {
        Err(DiffError::Failed {
            command: args.first().copied().unwrap_or_default().to_string(),
            message: String::from_utf8_lossy(&output.stderr).trim().to_string(),
        })
    }
}

/// Removes from `result` every finding that already existed at `base`.
/// `dir` is where to look for the repository (the first checked path).
/// Paths in `result` are relative to the working directory.
pub fn retain_new(
    result: &mut CheckResult,
    dir: &Path,
    base: &str,
    options: &CheckOptions,
) -> Result<DiffSummary, DiffError> {
    let repo = Repository::open(dir, base)?;
    let mut summary = DiffSummary {
        base_commit: repo.base.clone(),
        ..DiffSummary::default()
    };
    let cwd = std::env::current_dir().ok();
    // Files whose findings may have changed: the changed ones, and (for
    // flows across files) those whose findings point into a changed file.
    let changed_paths: HashSet<PathBuf> = result
        .files
        .iter()
        .filter(|f| {
            repo.relative(&absolute(&f.path, cwd.as_deref()))
                .is_some_and(|rel| repo.version(&rel) != BaseVersion::Unchanged)
        })
        .map(|f| f.path.clone())
        .collect();

    // With cross-file analysis the base side is a workspace too: the base
    // version of every changed file, the current text of the others.
    let base_workspace = options.cross_file.then(|| {
        let inputs: Vec<(PathBuf, crate::language::Language, std::sync::Arc<str>)> = result
            .files
            .iter()
            .filter_map(|f| {
                let path = crate::check::absolute_path(&f.path, cwd.as_deref());
                let text = match repo.relative(&path).map(|rel| repo.version(&rel)) {
                    Some(BaseVersion::Changed(old)) => repo.base_text(&old)?,
                    Some(BaseVersion::Unchanged) => std::fs::read_to_string(&path).ok()?,
                    _ => return None,
                };
                Some((path, f.language, std::sync::Arc::from(text)))
            })
            .collect();
        let roots = [crate::check::absolute_path(dir, cwd.as_deref())];
        crate::check::analyse_workspace(inputs, &roots, options, &|_| {})
    });
    for file in &mut result.files {
        if file.analysis.findings.is_empty() {
            continue;
        }
        let relative = repo.relative(&absolute(&file.path, cwd.as_deref()));
        let mut version = match &relative {
            Some(rel) => repo.version(rel),
            None => BaseVersion::Added,
        };
        let touches_changed = file.analysis.findings.iter().any(|f| {
            let sources = f.sources.iter().filter_map(|s| s.file.as_deref());
            let steps = f.flow.iter().filter_map(|s| s.file.as_deref());
            sources.chain(steps).any(|p| changed_paths.contains(p))
        });
        if version == BaseVersion::Unchanged
            && touches_changed
            && let Some(rel) = &relative
        {
            version = BaseVersion::Changed(rel.clone());
        }
        let before = file.analysis.findings.len();
        match version {
            BaseVersion::Unchanged => file.analysis.findings.clear(),
            BaseVersion::Added => summary.new_files += 1,
            BaseVersion::Changed(old) => {
                summary.changed_files += 1;
                let Some(text) = repo.base_text(&old) else {
                    continue;
                };
                let mut base = match &base_workspace {
                    Some(run) => run
                        .analyses
                        .get(&crate::check::absolute_path(&file.path, cwd.as_deref()))
                        .cloned()
                        .unwrap_or_default(),
                    None => {
                        let mut base = analysis::analyze(&text, file.language, &options.analysis);
                        config::apply(&options.config, &mut base.findings);
                        base
                    }
                };
                base.findings
                    .sort_by_key(|f| (f.span.start_byte, f.span.end_byte, f.code));
                let mut base_counts: HashMap<String, usize> = HashMap::new();
                for (print, _) in fingerprint::occurrences(&file.path, &base.findings) {
                    *base_counts.entry(print).or_default() += 1;
                }
                let prints = fingerprint::occurrences(&file.path, &file.analysis.findings);
                let mut keep = prints
                    .iter()
                    .map(|(print, n)| *n >= base_counts.get(print).copied().unwrap_or(0));
                file.analysis
                    .findings
                    .retain(|_| keep.next().unwrap_or(true));
            }
        }
        summary.dropped += before - file.analysis.findings.len();
    }
    Ok(summary)
}

fn absolute(path: &Path, cwd: Option<&Path>) -> PathBuf {
    match cwd {
        Some(cwd) if path.is_relative() => cwd.join(path),
        _ => path.to_path_buf(),
    }
}
