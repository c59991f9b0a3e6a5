//! Project configuration: `privacy-lens.toml`, or `[tool.privacy-lens]` in
//! `pyproject.toml`, found by walking up from the checked path; the same
//! structure as JSON for editors (`initializationOptions`, workspace
//! settings).
//!
//! ```toml
//! [rules]
//! severity = { PL101 = "error", "personal-data-in-training" = "info" }
//! disable = ["PL102"]
//! [sources]
//! "member_nickname" = "user.name"
//! [[sinks]]
//! call = "acme_ml.client.Predictor().predict"
//! kind = "local_inference"
//! [sanitizers]
//! calls = ["acme.privacy.redact"]
//! [paths]
//! exclude = ["tests/fixtures/**", "legacy/**"]
//! [[policy]]
//! name = "no health data to hosted LLMs"
//! deny = ["user.health_and_medical"]
//! to = ["llm_inference"]
//! ```
//!
//! Everything is validated against the knowledge base (categories, rules,
//! sink kinds): a wrong value is an error naming the file, line and key;
//! an unknown key is a warning. [`apply`] applies severities, disabled rules
//! and policies to a file's findings; [`Config::extensions`] feeds the
//! analysis.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};

use crate::analysis::Extensions;
use crate::finding::{Finding, FixKind, Severity, SinkKind};
use crate::knowledge;
use crate::rules;

/// The configuration file's name.
pub const FILE_NAME: &str = "privacy-lens.toml";
/// Python projects may configure privacy-lens in `[tool.privacy-lens]` here.
pub const PYPROJECT: &str = "pyproject.toml";
/// The table in `pyproject.toml` holding the configuration.
const PYPROJECT_TABLE: [&str; 2] = ["tool", "privacy-lens"];

/// A validated configuration. Empty (the default) changes nothing.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Severity overrides by rule code (`PL101`).
    pub severity: BTreeMap<&'static str, Severity>,
    /// Disabled rule codes.
    pub disabled: BTreeSet<&'static str>,
    /// Extra personal-data names, in file order.
    pub sources: Vec<SourcePattern>,
    /// Extra AI calls, in file order.
    pub sinks: Vec<SinkPattern>,
    /// Calls whose result carries no personal data.
    pub sanitizers: Vec<String>,
    /// Paths the walk skips.
    pub exclude: Excludes,
    /// Flows the project denies, in file order (the first match names a finding).
    pub policies: Vec<Policy>,
}

/// `[sources]`: a name pattern (snake_case tokens) and the fideslang category it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourcePattern {
    pub pattern: String,
    pub category: String,
}

/// `[[sinks]]`: a call path glob and the kind of AI call it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkPattern {
    pub call: String,
    pub kind: SinkKind,
}

/// `[[policy]]`: flows of `deny` categories into `to` sink kinds are errors.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    /// Category prefixes (`user.health_and_medical` covers its subcategories).
    pub deny: Vec<String>,
    /// Sink kinds; empty means every kind.
    pub to: Vec<SinkKind>,
}

impl Policy {
    /// The finding's categories this policy denies, if the finding's sink
    /// kind is one the policy covers.
    pub fn denied<'a>(&self, finding: &'a Finding) -> Vec<&'a str> {
        let Some(sink) = &finding.sink else {
            return Vec::new();
        };
        if !self.to.is_empty() && !self.to.contains(&sink.kind) {
            return Vec::new();
        }
        finding
            .categories
            .iter()
            .map(String::as_str)
            .filter(|c| self.deny.iter().any(|d| knowledge::key_has_prefix(c, d)))
            .collect()
    }
}

/// A configuration read from a file, with the warnings it produced.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The file it came from (`privacy-lens.toml` or `pyproject.toml`), absolute.
    pub path: PathBuf,
    pub config: Config,
    /// Unknown keys and other problems that do not stop a run.
    pub warnings: Vec<Diagnostic>,
}

/// A problem at one place in a configuration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// The file, when the configuration came from one.
    pub file: Option<PathBuf>,
    /// Dotted key path, e.g. `sources.member_nickname` or `sinks[0].kind`.
    pub key: String,
    /// 1-based line and column (in characters), when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Byte range in the file, when known.
    pub span: Option<Range<usize>>,
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) => write!(f, "{}", shown(file).display())?,
            None => f.write_str("configuration")?,
        }
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        if self.key.is_empty() {
            write!(f, ": {}", self.message)
        } else {
            write!(f, ": `{}`: {}", self.key, self.message)
        }
    }
}

/// Why a configuration could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read configuration {}: {source}", shown(path).display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML.
    #[error("{}:{line}:{column}: invalid TOML: {message}", shown(path).display())]
    Syntax {
        path: PathBuf,
        line: usize,
        column: usize,
        span: Option<Range<usize>>,
        message: String,
    },
    /// `--config pyproject.toml` without a `[tool.privacy-lens]` table.
    #[error("{} has no [tool.privacy-lens] table", shown(path).display())]
    MissingTable { path: PathBuf },
    /// Valid TOML or JSON with wrong values; every problem, in file order.
    #[error("{}", join_lines(.0))]
    Invalid(Vec<Diagnostic>),
}

fn join_lines(diagnostics: &[Diagnostic]) -> String {
    let lines: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

impl Config {
    /// The analysis additions: extra sources, sinks and sanitizers.
    pub fn extensions(&self) -> Extensions {
        Extensions {
            sources: self
                .sources
                .iter()
                .map(|s| (s.pattern.clone(), s.category.clone()))
                .collect(),
            sinks: self
                .sinks
                .iter()
                .map(|s| (s.call.clone(), s.kind))
                .collect(),
            sanitizers: self.sanitizers.clone(),
        }
    }

    /// `true` when the configuration changes nothing.
    pub fn is_empty(&self) -> bool {
        self.severity.is_empty()
            && self.disabled.is_empty()
            && self.sources.is_empty()
            && self.sinks.is_empty()
            && self.sanitizers.is_empty()
            && self.exclude.is_empty()
            && self.policies.is_empty()
    }

    /// Layers `other` over `self`; `other` wins. Severities and disabled
    /// rules override per rule (a severity re-enables a rule `self`
    /// disabled); sources, sinks and policies with the same pattern, call or
    /// name are replaced, others appended; sanitizers and excludes are
    /// combined.
    pub fn merge(&mut self, other: Config) {
        for (code, severity) in other.severity {
            self.disabled.remove(code);
            self.severity.insert(code, severity);
        }
        for code in other.disabled {
            self.severity.remove(code);
            self.disabled.insert(code);
        }
        for source in other.sources {
            match self
                .sources
                .iter_mut()
                .find(|s| s.pattern == source.pattern)
            {
                Some(existing) => *existing = source,
                None => self.sources.push(source),
            }
        }
        for sink in other.sinks {
            match self.sinks.iter_mut().find(|s| s.call == sink.call) {
                Some(existing) => *existing = sink,
                None => self.sinks.push(sink),
            }
        }
        for sanitizer in other.sanitizers {
            if !self.sanitizers.contains(&sanitizer) {
                self.sanitizers.push(sanitizer);
            }
        }
        self.exclude.groups.extend(other.exclude.groups);
        for policy in other.policies {
            match self.policies.iter_mut().find(|p| p.name == policy.name) {
                Some(existing) => *existing = policy,
                None => self.policies.push(policy),
            }
        }
    }

    /// Anchors exclude patterns that have no directory yet (those from
    /// JSON settings) at `dir`, e.g. the workspace root.
    pub fn set_base_dir(&mut self, dir: &Path) {
        let dir = absolute(dir);
        for group in &mut self.exclude.groups {
            if group.base.is_none() {
                group.base = Some(dir.clone());
            }
        }
    }

    /// The severity a finding of this rule gets (its override or its default).
    pub fn severity_of(&self, rule: &rules::Rule) -> Severity {
        self.severity
            .get(rule.code)
            .copied()
            .unwrap_or(rule.default_severity)
    }
}

// ---------------------------------------------------------------------------
// Excluded paths
// ---------------------------------------------------------------------------

/// `[paths] exclude`: gitignore-like globs relative to the configuration
/// file's directory. `*` stays within one path component, `**` crosses
/// them; a pattern without `/` also matches a file or directory name at any
/// depth; a matching directory excludes everything below it.
#[derive(Debug, Clone, Default)]
pub struct Excludes {
    groups: Vec<ExcludeGroup>,
}

#[derive(Debug, Clone)]
struct ExcludeGroup {
    /// The directory patterns are relative to (absolute); `None` until
    /// [`Config::set_base_dir`] for JSON settings, which then match paths
    /// as given.
    base: Option<PathBuf>,
    patterns: Vec<String>,
    /// Every pattern, matched against the path relative to `base`.
    paths: GlobSet,
    /// Patterns without `/`, matched against the last component.
    names: GlobSet,
}

impl Excludes {
    pub fn is_empty(&self) -> bool {
        self.groups.iter().all(|g| g.patterns.is_empty())
    }

    /// The patterns as written.
    pub fn patterns(&self) -> impl Iterator<Item = &str> {
        self.groups
            .iter()
            .flat_map(|g| g.patterns.iter().map(String::as_str))
    }

    /// Whether `path` (absolute, or relative to the current directory) is
    /// excluded. Paths outside a pattern group's directory are never
    /// excluded by it.
    pub fn is_excluded(&self, path: &Path) -> bool {
        if self.is_empty() {
            return false;
        }
        let full = absolute(path);
        self.groups.iter().any(|group| {
            let relative = match &group.base {
                Some(base) => match full.strip_prefix(base) {
                    Ok(relative) => relative,
                    Err(_) => return false,
                },
                None => path,
            };
            if relative.as_os_str().is_empty() {
                return false;
            }
            group.paths.is_match(relative)
                || relative
                    .file_name()
                    .is_some_and(|name| group.names.is_match(Path::new(name)))
        })
    }
}

/// The longest call or path pattern accepted. Patterns become regular
/// expressions (the `regex` crate: linear-time matching, no backtracking),
/// and this bound keeps each compiled program small, whatever the file says.
pub const MAX_PATTERN_LEN: usize = 512;

/// Compiles exclude patterns; a bad glob is `Err` with the reason.
fn compile_glob(pattern: &str) -> Result<globset::Glob, String> {
    if pattern.len() > MAX_PATTERN_LEN {
        return Err(format!(
            "pattern longer than {MAX_PATTERN_LEN} bytes ({} bytes)",
            pattern.len()
        ));
    }
    GlobBuilder::new(pattern)
        .literal_separator(true)
        .backslash_escape(true)
        .build()
        .map_err(|err| err.kind().to_string())
}

/// Normalises a pattern as written: no leading `./` or `/` (patterns are
/// always relative to the configuration's directory), no trailing `/`.
fn normalize_pattern(pattern: &str) -> &str {
    let mut p = pattern.trim();
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    p = p.trim_start_matches('/');
    if p.len() > 1 {
        p = p.trim_end_matches('/');
    }
    p
}

// ---------------------------------------------------------------------------
// Applying the configuration to findings
// ---------------------------------------------------------------------------

/// Applies policies, disabled rules and severity overrides to one file's
/// findings, in that order:
///
/// - a flow finding (one with a sink) whose sink kind a policy covers and
///   with a denied category becomes PL140 `denied-by-policy`, severity
///   error, whatever its status (a data-use tag does not lift a policy);
///   several findings on the same call under the same policy become one;
/// - findings of disabled rules are removed (disabling PL140 turns
///   policies off);
/// - severities are replaced by the overrides.
pub fn apply(config: &Config, findings: &mut Vec<Finding>) {
    if config.policies.is_empty() && config.severity.is_empty() && config.disabled.is_empty() {
        return;
    }
    if !config.policies.is_empty() {
        let mut seen = HashSet::new();
        findings.retain_mut(|finding| {
            if !apply_policies(config, finding) {
                return true;
            }
            seen.insert((
                finding.span.start_byte,
                finding.span.end_byte,
                finding.message.clone(),
            ))
        });
    }
    if !config.disabled.is_empty() {
        findings.retain(|f| !config.disabled.contains(f.code));
    }
    if !config.severity.is_empty() {
        for finding in findings.iter_mut() {
            if let Some(&severity) = config.severity.get(finding.code) {
                finding.severity = severity;
            }
        }
    }
}

/// Turns `finding` into a policy finding if a policy denies it; `true` if it did.
fn apply_policies(config: &Config, finding: &mut Finding) -> bool {
    let Some((policy, denied)) = config.policies.iter().find_map(|policy| {
        let denied = policy.denied(finding);
        (!denied.is_empty()).then_some((policy, denied))
    }) else {
        return false;
    };
    let api = finding.sink.as_ref().map_or("", |s| s.api.as_str());
    let message = format!(
        "Denied by policy \"{}\": {} reach `{api}`",
        policy.name,
        denied.join(", ")
    );
    let rule = &rules::DENIED_BY_POLICY;
    finding.code = rule.code;
    finding.rule = rule.name;
    finding.severity = rule.default_severity;
    finding.message = message;
    // A tag does not resolve a denied flow; marking a false positive does.
    finding
        .fixes
        .retain(|fix| fix.kind == FixKind::NotPersonalData);
    true
}

// ---------------------------------------------------------------------------
// Discovery and loading
// ---------------------------------------------------------------------------

/// Finds the configuration for `start` (a file or directory): the nearest
/// directory, from `start` (or a file's directory) up to the filesystem
/// root, holding `privacy-lens.toml` or a `pyproject.toml` with a
/// `[tool.privacy-lens]` table; `privacy-lens.toml` wins in the same
/// directory. `Ok(None)` when there is none.
pub fn discover(start: &Path) -> Result<Option<Loaded>, ConfigError> {
    let start = absolute(start);
    let mut dir = if start.is_dir() {
        Some(start.as_path())
    } else {
        start.parent()
    };
    while let Some(current) = dir {
        let file = current.join(FILE_NAME);
        if file.is_file() {
            return load_file(&file).map(Some);
        }
        let pyproject = current.join(PYPROJECT);
        if pyproject.is_file() {
            let text = read(&pyproject)?;
            // Cheap pre-check: most pyproject files never mention us.
            if text.contains("privacy-lens")
                && let Some(loaded) = load_pyproject(&pyproject, &text)?
            {
                return Ok(Some(loaded));
            }
        }
        dir = current.parent();
    }
    Ok(None)
}

/// The configuration `check` uses: `explicit` (`--config FILE`) if given,
/// else the one discovered from the first path (or the current directory).
pub fn for_check(
    paths: &[PathBuf],
    explicit: Option<&Path>,
) -> Result<Option<Loaded>, ConfigError> {
    match explicit {
        Some(file) => load_file(file).map(Some),
        None => discover(paths.first().map_or(Path::new("."), PathBuf::as_path)),
    }
}

/// Reads one configuration file: a `pyproject.toml` (its
/// `[tool.privacy-lens]` table, which must exist) or any other file as a
/// whole privacy-lens configuration.
pub fn load_file(path: &Path) -> Result<Loaded, ConfigError> {
    let path = absolute(path);
    let text = read(&path)?;
    load_text(&path, &text)
}

/// [`load_file`] for text already read (`path` names it in messages and
/// anchors its exclude patterns; nothing is read from disk).
pub fn load_text(path: &Path, text: &str) -> Result<Loaded, ConfigError> {
    let path = path.to_path_buf();
    let text = text.to_owned();
    if path.file_name().is_some_and(|n| n == PYPROJECT) {
        return load_pyproject(&path, &text)?.ok_or(ConfigError::MissingTable { path });
    }
    let table = parse_toml(&path, &text)?;
    let root = Node::from_toml_table(&table, 0);
    let base = path.parent().map(Path::to_path_buf);
    let (config, warnings) = build(&root, &Source::file(&path, &text, ""), base)?;
    Ok(Loaded {
        path,
        config,
        warnings,
    })
}

/// The `[tool.privacy-lens]` table of a `pyproject.toml`, if it has one.
fn load_pyproject(path: &Path, text: &str) -> Result<Option<Loaded>, ConfigError> {
    let table = parse_toml(path, text)?;
    let mut current = table.get_ref();
    let mut value = None;
    for key in PYPROJECT_TABLE {
        match current.get(key) {
            Some(v) => {
                value = Some(v);
                match v.get_ref() {
                    toml::de::DeValue::Table(t) => current = t,
                    _ if key == PYPROJECT_TABLE[1] => {}
                    _ => return Ok(None),
                }
            }
            None => return Ok(None),
        }
    }
    let Some(value) = value else { return Ok(None) };
    let root = Node::from_toml(value, 0);
    let prefix = format!("{}.", PYPROJECT_TABLE.join("."));
    let base = path.parent().map(Path::to_path_buf);
    let (config, warnings) = build(&root, &Source::file(path, text, &prefix), base)?;
    Ok(Some(Loaded {
        path: path.to_path_buf(),
        config,
        warnings,
    }))
}

/// A configuration given as JSON (the same structure as the TOML file), as
/// editors send it. Warnings are dropped; see [`from_json_with_warnings`].
pub fn from_json(value: &serde_json::Value) -> Result<Config, ConfigError> {
    from_json_with_warnings(value).map(|(config, _)| config)
}

/// [`from_json`], also returning the warnings (unknown keys). `null` values
/// count as absent. Exclude patterns have no directory until
/// [`Config::set_base_dir`].
pub fn from_json_with_warnings(
    value: &serde_json::Value,
) -> Result<(Config, Vec<Diagnostic>), ConfigError> {
    let root = Node::from_json(value, 0);
    build(&root, &Source::json(), None)
}

fn read(path: &Path) -> Result<String, ConfigError> {
    std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn parse_toml<'i>(
    path: &Path,
    text: &'i str,
) -> Result<toml::Spanned<toml::de::DeTable<'i>>, ConfigError> {
    toml::de::DeTable::parse(text).map_err(|err| {
        let span = err.span();
        let (line, column) = line_column(text, span.as_ref().map_or(0, |s| s.start));
        ConfigError::Syntax {
            path: path.to_path_buf(),
            line,
            column,
            span,
            message: err.message().trim().to_owned(),
        }
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

/// `path` made absolute against the current directory, `.` and `..` resolved
/// lexically (symlinks are kept, so it stays comparable with walked paths).
fn absolute(path: &Path) -> PathBuf {
    let joined = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    crate::check::normalize(&joined)
}

/// A path as shown in messages: relative to the current directory when under it.
fn shown(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().ok();
    crate::check::display_path(path, cwd.as_deref())
}

// ---------------------------------------------------------------------------
// One document tree for TOML (with spans) and JSON (without)
// ---------------------------------------------------------------------------

/// Deeper values are never needed: the schema is four levels deep.
const MAX_DEPTH: usize = 8;

struct Node<'a> {
    span: Option<Range<usize>>,
    value: Value<'a>,
}

enum Value<'a> {
    String(Cow<'a, str>),
    Array(Vec<Node<'a>>),
    /// Entries in document order.
    Table(Vec<(Key<'a>, Node<'a>)>),
    /// Absent (JSON `null`).
    Null,
    /// Any other type, by name.
    Other(&'static str),
}

struct Key<'a> {
    name: Cow<'a, str>,
    span: Option<Range<usize>>,
}

impl<'a> Node<'a> {
    fn from_toml(value: &'a toml::Spanned<toml::de::DeValue<'a>>, depth: usize) -> Node<'a> {
        use toml::de::DeValue;
        let span = Some(value.span());
        let value = match value.get_ref() {
            DeValue::String(s) => Value::String(Cow::Borrowed(s.as_ref())),
            DeValue::Array(items) if depth < MAX_DEPTH => Value::Array(
                items
                    .iter()
                    .map(|item| Node::from_toml(item, depth + 1))
                    .collect(),
            ),
            DeValue::Table(table) if depth < MAX_DEPTH => {
                return Node {
                    span,
                    value: Node::toml_entries(table, depth),
                };
            }
            other => Value::Other(other.type_str()),
        };
        Node { span, value }
    }

    fn from_toml_table(table: &'a toml::Spanned<toml::de::DeTable<'a>>, depth: usize) -> Node<'a> {
        Node {
            span: Some(table.span()),
            value: Node::toml_entries(table.get_ref(), depth),
        }
    }

    fn toml_entries(table: &'a toml::de::DeTable<'a>, depth: usize) -> Value<'a> {
        let mut entries: Vec<(Key<'a>, Node<'a>)> = table
            .iter()
            .map(|(key, value)| {
                (
                    Key {
                        name: Cow::Borrowed(key.get_ref().as_ref()),
                        span: Some(key.span()),
                    },
                    Node::from_toml(value, depth + 1),
                )
            })
            .collect();
        entries.sort_by_key(|(key, _)| key.span.as_ref().map_or(0, |s| s.start));
        Value::Table(entries)
    }

    fn from_json(value: &'a serde_json::Value, depth: usize) -> Node<'a> {
        use serde_json::Value as J;
        let value = match value {
            J::Null => Value::Null,
            J::Bool(_) => Value::Other("boolean"),
            J::Number(_) => Value::Other("number"),
            J::String(s) => Value::String(Cow::Borrowed(s)),
            J::Array(items) if depth < MAX_DEPTH => Value::Array(
                items
                    .iter()
                    .map(|item| Node::from_json(item, depth + 1))
                    .collect(),
            ),
            J::Object(map) if depth < MAX_DEPTH => Value::Table(
                map.iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                name: Cow::Borrowed(k),
                                span: None,
                            },
                            Node::from_json(v, depth + 1),
                        )
                    })
                    .collect(),
            ),
            J::Array(_) => Value::Other("array"),
            J::Object(_) => Value::Other("table"),
        };
        Node { span: None, value }
    }

    fn type_name(&self) -> &'static str {
        match &self.value {
            Value::String(_) => "a string",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
            Value::Null => "null",
            Value::Other("integer") => "an integer",
            Value::Other(other) => other,
        }
    }
}

// ---------------------------------------------------------------------------
// Schema
// ---------------------------------------------------------------------------

/// Where a document came from, for diagnostics.
struct Source<'a> {
    file: Option<&'a Path>,
    text: Option<&'a str>,
    /// Key prefix for messages (`tool.privacy-lens.` in pyproject.toml).
    prefix: &'a str,
}

impl<'a> Source<'a> {
    fn file(path: &'a Path, text: &'a str, prefix: &'a str) -> Self {
        Source {
            file: Some(path),
            text: Some(text),
            prefix,
        }
    }

    fn json() -> Self {
        Source {
            file: None,
            text: None,
            prefix: "",
        }
    }
}

/// One table of an array of tables (`[[sinks]]`): its key path, span and entries.
struct TableItem<'n, 'a> {
    at: String,
    span: Option<Range<usize>>,
    entries: &'n [(Key<'a>, Node<'a>)],
}

/// Collects errors and warnings while building a [`Config`].
struct Builder<'s> {
    source: &'s Source<'s>,
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

const TOP_KEYS: &[&str] = &["rules", "sources", "sinks", "sanitizers", "paths", "policy"];
const RULES_KEYS: &[&str] = &["severity", "disable"];
const SINK_KEYS: &[&str] = &["call", "kind"];
const SANITIZERS_KEYS: &[&str] = &["calls"];
const PATHS_KEYS: &[&str] = &["exclude"];
const POLICY_KEYS: &[&str] = &["name", "deny", "to"];

fn build(
    root: &Node<'_>,
    source: &Source<'_>,
    base: Option<PathBuf>,
) -> Result<(Config, Vec<Diagnostic>), ConfigError> {
    let mut b = Builder {
        source,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut config = Config::default();
    let mut exclude = Vec::new();
    if let Some(entries) = b.table(root, "") {
        for (key, value) in entries {
            let path = key.name.as_ref();
            match path {
                "rules" => b.rules(value, &mut config),
                "sources" => b.sources(value, &mut config),
                "sinks" => b.sinks(value, &mut config),
                "sanitizers" => {
                    for (k, v) in b.table(value, path).into_iter().flatten() {
                        let at = join(path, &k.name);
                        match k.name.as_ref() {
                            "calls" => {
                                for (item_at, node, call) in b.strings(v, &at) {
                                    match check_call_glob(call) {
                                        Ok(()) => config.sanitizers.push(call.to_owned()),
                                        Err(message) => {
                                            b.error(&item_at, node.span.clone(), message)
                                        }
                                    }
                                }
                            }
                            _ => b.unknown(k, &at, SANITIZERS_KEYS),
                        }
                    }
                }
                "paths" => {
                    for (k, v) in b.table(value, path).into_iter().flatten() {
                        let at = join(path, &k.name);
                        match k.name.as_ref() {
                            "exclude" => {
                                for (item_at, node, pattern) in b.strings(v, &at) {
                                    let pattern = normalize_pattern(pattern);
                                    match compile_glob(pattern) {
                                        Ok(glob) => exclude.push((pattern.to_owned(), glob)),
                                        Err(reason) => b.error(
                                            &item_at,
                                            node.span.clone(),
                                            format!("invalid glob `{pattern}`: {reason}"),
                                        ),
                                    }
                                }
                            }
                            _ => b.unknown(k, &at, PATHS_KEYS),
                        }
                    }
                }
                "policy" => b.policies(value, &mut config),
                _ => b.unknown(key, path, TOP_KEYS),
            }
        }
    }
    if !b.errors.is_empty() {
        let mut errors = b.errors;
        errors.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
        return Err(ConfigError::Invalid(errors));
    }
    if !exclude.is_empty() {
        config.exclude.groups.push(exclude_group(base, exclude));
    }
    let mut warnings = b.warnings;
    warnings.sort_by_key(|d| d.span.as_ref().map_or(0, |s| s.start));
    Ok((config, warnings))
}

fn exclude_group(base: Option<PathBuf>, globs: Vec<(String, globset::Glob)>) -> ExcludeGroup {
    let mut paths = GlobSetBuilder::new();
    let mut names = GlobSetBuilder::new();
    let mut patterns = Vec::with_capacity(globs.len());
    for (pattern, glob) in globs {
        if !pattern.contains('/') {
            names.add(glob.clone());
        }
        paths.add(glob);
        patterns.push(pattern);
    }
    // Every glob compiled on its own, so the sets compile too.
    let empty = GlobSet::empty;
    ExcludeGroup {
        base,
        patterns,
        paths: paths.build().unwrap_or_else(|_| empty()),
        names: names.build().unwrap_or_else(|_| empty()),
    }
}

impl Builder<'_> {
    fn diagnostic(&self, key: &str, span: Option<Range<usize>>, message: String) -> Diagnostic {
        let (line, column) = match (&span, self.source.text) {
            (Some(span), Some(text)) => {
                let (line, column) = line_column(text, span.start);
                (Some(line), Some(column))
            }
            _ => (None, None),
        };
        Diagnostic {
            file: self.source.file.map(Path::to_path_buf),
            key: format!("{}{key}", self.source.prefix),
            line,
            column,
            span,
            message,
        }
    }

    fn error(&mut self, key: &str, span: Option<Range<usize>>, message: impl Into<String>) {
        let diagnostic = self.diagnostic(key, span, message.into());
        self.errors.push(diagnostic);
    }

    fn unknown(&mut self, key: &Key<'_>, path: &str, known: &[&str]) {
        let mut message = "unknown key, ignored".to_owned();
        if let Some(closest) = closest(&key.name, known.iter().copied()) {
            message.push_str(&format!(" (did you mean `{closest}`?)"));
        } else {
            message.push_str(&format!(" (expected one of {})", quoted_list(known)));
        }
        let diagnostic = self.diagnostic(path, key.span.clone(), message);
        self.warnings.push(diagnostic);
    }

    /// The entries of a table; `None` (after an error) for another type or null.
    fn table<'n, 'a>(
        &mut self,
        node: &'n Node<'a>,
        path: &str,
    ) -> Option<&'n [(Key<'a>, Node<'a>)]> {
        match &node.value {
            Value::Table(entries) => Some(entries),
            Value::Null => None,
            _ => {
                let found = node.type_name();
                self.error(
                    path,
                    node.span.clone(),
                    format!("expected a table, found {found}"),
                );
                None
            }
        }
    }

    /// The items of an array (none for an absent value); any other type is
    /// reported as not being `expected`.
    fn array<'n, 'a>(&mut self, node: &'n Node<'a>, path: &str, expected: &str) -> &'n [Node<'a>] {
        match &node.value {
            Value::Array(items) => items,
            Value::Null => &[],
            _ => {
                let found = node.type_name();
                self.error(
                    path,
                    node.span.clone(),
                    format!("expected {expected}, found {found}"),
                );
                &[]
            }
        }
    }

    /// The items of an array of strings with their key paths; reports others.
    fn strings<'n, 'a>(
        &mut self,
        node: &'n Node<'a>,
        path: &str,
    ) -> Vec<(String, &'n Node<'a>, &'n str)> {
        let items = self.array(node, path, "an array of strings");
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let at = format!("{path}[{i}]");
            match &item.value {
                Value::String(s) => out.push((at, item, s.as_ref())),
                Value::Null => {}
                _ => {
                    let found = item.type_name();
                    self.error(
                        &at,
                        item.span.clone(),
                        format!("expected a string, found {found}"),
                    );
                }
            }
        }
        out
    }

    /// A string value; reports others.
    fn string<'n>(&mut self, node: &'n Node<'_>, path: &str) -> Option<&'n str> {
        match &node.value {
            Value::String(s) => Some(s),
            Value::Null => None,
            _ => {
                let found = node.type_name();
                self.error(
                    path,
                    node.span.clone(),
                    format!("expected a string, found {found}"),
                );
                None
            }
        }
    }

    fn rules(&mut self, node: &Node<'_>, config: &mut Config) {
        let Some(entries) = self.table(node, "rules") else {
            return;
        };
        // Which key set each rule's severity, to report a rule set twice.
        let mut set_by: BTreeMap<&'static str, String> = BTreeMap::new();
        for (key, value) in entries {
            let at = join("rules", &key.name);
            match key.name.as_ref() {
                "severity" => {
                    for (rule_key, level) in self.table(value, &at).into_iter().flatten() {
                        let rule_at = join(&at, &rule_key.name);
                        let rule = self.rule(&rule_key.name, &rule_at, rule_key.span.clone());
                        let Some(text) = self.string(level, &rule_at) else {
                            continue;
                        };
                        let Some(rule) = rule else { continue };
                        if let Some(previous) = set_by.insert(rule.code, rule_key.name.to_string())
                        {
                            self.error(
                                &rule_at,
                                rule_key.span.clone(),
                                format!("{} is already set as `{previous}`", rule.code),
                            );
                            continue;
                        }
                        if text.eq_ignore_ascii_case("off") {
                            config.disabled.insert(rule.code);
                            continue;
                        }
                        match Severity::parse(text) {
                            Some(severity) => {
                                config.severity.insert(rule.code, severity);
                            }
                            None => self.error(
                                &rule_at,
                                level.span.clone(),
                                format!(
                                    "unknown severity `{text}` (expected `error`, `warning`, `info`, `hint` or `off`)"
                                ),
                            ),
                        }
                    }
                }
                "disable" => {
                    for (item_at, item, name) in self.strings(value, &at) {
                        if let Some(rule) = self.rule(name, &item_at, item.span.clone()) {
                            config.disabled.insert(rule.code);
                        }
                    }
                }
                _ => self.unknown(key, &at, RULES_KEYS),
            }
        }
        // `disable` wins over a severity for the same rule.
        for code in &config.disabled {
            config.severity.remove(code);
        }
    }

    /// A rule by code or name; reports an unknown one.
    fn rule(
        &mut self,
        name: &str,
        path: &str,
        span: Option<Range<usize>>,
    ) -> Option<&'static rules::Rule> {
        if let Some(rule) = rules::find(name) {
            return Some(rule);
        }
        let mut message = format!("unknown rule `{name}`");
        let candidates = rules::ALL.iter().flat_map(|r| [r.code, r.name]);
        match closest(name, candidates) {
            Some(close) => message.push_str(&format!(" (did you mean `{close}`?)")),
            None => message.push_str(" (`privacy-lens rules` lists them)"),
        }
        self.error(path, span, message);
        None
    }

    /// A fideslang data category key; reports an unknown one.
    fn category(&mut self, key: &str, path: &str, span: Option<Range<usize>>) -> bool {
        let taxonomy = &knowledge::get().taxonomy;
        if taxonomy.category(key).is_some() {
            return true;
        }
        let mut message = format!("unknown data category `{key}`");
        let keys = taxonomy.data_categories.iter().map(|c| c.key.as_str());
        match closest(key, keys) {
            Some(close) => message.push_str(&format!(" (did you mean `{close}`?)")),
            None => message
                .push_str(" (expected a fideslang data category such as `user.contact.email`)"),
        }
        self.error(path, span, message);
        false
    }

    fn sink_kind(
        &mut self,
        text: &str,
        path: &str,
        span: Option<Range<usize>>,
    ) -> Option<SinkKind> {
        if let Some(kind) = SinkKind::parse(text) {
            return Some(kind);
        }
        let kinds: Vec<&str> = SinkKind::ALL.iter().map(|k| k.as_str()).collect();
        let mut message = format!("unknown sink kind `{text}`");
        match closest(text, kinds.iter().copied()) {
            Some(close) => message.push_str(&format!(" (did you mean `{close}`?)")),
            None => message.push_str(&format!(" (expected one of {})", quoted_list(&kinds))),
        }
        self.error(path, span, message);
        None
    }

    fn sources(&mut self, node: &Node<'_>, config: &mut Config) {
        for (key, value) in self.table(node, "sources").into_iter().flatten() {
            let at = join("sources", &key.name);
            let name_ok = match check_name_pattern(&key.name) {
                Ok(()) => true,
                Err(message) => {
                    self.error(&at, key.span.clone(), message);
                    false
                }
            };
            let Some(category) = self.string(value, &at) else {
                continue;
            };
            if self.category(category, &at, value.span.clone()) && name_ok {
                config.sources.push(SourcePattern {
                    pattern: key.name.to_string(),
                    category: category.to_owned(),
                });
            }
        }
    }

    fn sinks(&mut self, node: &Node<'_>, config: &mut Config) {
        for entry in self.array_of_tables(node, "sinks") {
            let at = entry.at.as_str();
            let mut call = None;
            let mut kind = None;
            for (key, value) in entry.entries {
                let key_at = join(at, &key.name);
                match key.name.as_ref() {
                    "call" => {
                        if let Some(text) = self.string(value, &key_at) {
                            match check_call_glob(text) {
                                Ok(()) => call = Some(text.to_owned()),
                                Err(message) => self.error(&key_at, value.span.clone(), message),
                            }
                        }
                    }
                    "kind" => {
                        if let Some(text) = self.string(value, &key_at) {
                            kind = self.sink_kind(text, &key_at, value.span.clone());
                        }
                    }
                    _ => self.unknown(key, &key_at, SINK_KEYS),
                }
            }
            let has = |name: &str| entry.entries.iter().any(|(k, _)| k.name == name);
            for required in ["call", "kind"] {
                if !has(required) {
                    self.error(at, entry.span.clone(), format!("missing `{required}`"));
                }
            }
            if let (Some(call), Some(kind)) = (call, kind) {
                config.sinks.push(SinkPattern { call, kind });
            }
        }
    }

    fn policies(&mut self, node: &Node<'_>, config: &mut Config) {
        for entry in self.array_of_tables(node, "policy") {
            let at = entry.at.as_str();
            let mut name = None;
            let mut deny = Vec::new();
            let mut to = Vec::new();
            let mut valid = true;
            for (key, value) in entry.entries {
                let key_at = join(at, &key.name);
                match key.name.as_ref() {
                    "name" => name = self.string(value, &key_at).map(str::to_owned),
                    "deny" => {
                        for (item_at, item, category) in self.strings(value, &key_at) {
                            if self.category(category, &item_at, item.span.clone()) {
                                deny.push(category.to_owned());
                            } else {
                                valid = false;
                            }
                        }
                    }
                    "to" => {
                        for (item_at, item, text) in self.strings(value, &key_at) {
                            match self.sink_kind(text, &item_at, item.span.clone()) {
                                Some(kind) => to.push(kind),
                                None => valid = false,
                            }
                        }
                    }
                    _ => self.unknown(key, &key_at, POLICY_KEYS),
                }
            }
            if name.as_deref().is_none_or(|n| n.trim().is_empty()) {
                self.error(at, entry.span.clone(), "missing `name`");
                continue;
            }
            if deny.is_empty() {
                if valid {
                    self.error(
                        at,
                        entry.span.clone(),
                        "missing `deny` (the categories the policy denies)",
                    );
                }
                continue;
            }
            if valid && let Some(name) = name {
                config.policies.push(Policy { name, deny, to });
            }
        }
    }

    /// The tables of an array of tables (`[[sinks]]`), with their key paths
    /// and spans; reports other types.
    fn array_of_tables<'n, 'a>(
        &mut self,
        node: &'n Node<'a>,
        path: &str,
    ) -> Vec<TableItem<'n, 'a>> {
        let items = self.array(node, path, &format!("an array of tables (`[[{path}]]`)"));
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let at = format!("{path}[{i}]");
            if let Some(entries) = self.table(item, &at) {
                out.push(TableItem {
                    at,
                    span: item.span.clone(),
                    entries,
                });
            }
        }
        out
    }
}

/// `[sources]` keys are snake_case tokens, as in the built-in vocabulary.
fn check_name_pattern(name: &str) -> Result<(), String> {
    let valid = !name.is_empty()
        && name.split('_').all(|t| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
    if valid {
        return Ok(());
    }
    let snake = to_snake_case(name);
    let mut message =
        "a source name is snake_case tokens (lowercase letters and digits joined by `_`)"
            .to_owned();
    if !snake.is_empty() && snake != name && check_name_pattern(&snake).is_ok() {
        message.push_str(&format!("; write `{snake}`"));
    }
    Err(message)
}

fn to_snake_case(name: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if previous_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            previous_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            previous_lower = true;
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            previous_lower = false;
        }
    }
    out.trim_end_matches('_').to_owned()
}

/// Call patterns use the sink catalogue's syntax: dotted segments starting
/// with a module name, `()` after a called segment, `*` within a segment,
/// `**` across segments.
fn check_call_glob(pattern: &str) -> Result<(), String> {
    let problem = if pattern.is_empty() {
        Some("empty call pattern".to_owned())
    } else if pattern.len() > MAX_PATTERN_LEN {
        Some(format!(
            "longer than {MAX_PATTERN_LEN} bytes ({} bytes)",
            pattern.len()
        ))
    } else if pattern.starts_with('*') {
        Some("a call pattern starts with a module name, not `*`".to_owned())
    } else {
        pattern.split('.').find_map(|segment| {
            let name = segment.strip_suffix("()").unwrap_or(segment);
            let ok = !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '*');
            (!ok).then(|| format!("invalid segment `{segment}`"))
        })
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(format!(
            "invalid call pattern `{pattern}`: {problem} (expected dotted names such as `acme_ml.client.Predictor().predict`; `*` matches within a segment, `**` across segments)"
        )),
    }
}

/// A dotted key path, quoting keys that are not bare TOML keys.
fn join(prefix: &str, key: &str) -> String {
    let bare = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    let key = if bare {
        Cow::Borrowed(key)
    } else {
        Cow::Owned(format!("{key:?}"))
    };
    if prefix.is_empty() {
        key.into_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn quoted_list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    quoted.join(", ")
}

/// The candidate closest to `query`, if it is close enough to be a typo.
fn closest<'c>(query: &str, candidates: impl Iterator<Item = &'c str>) -> Option<&'c str> {
    let query_lower = query.to_ascii_lowercase();
    candidates
        .map(|c| {
            (
                c,
                strsim::levenshtein(&query_lower, &c.to_ascii_lowercase()),
            )
        })
        .filter(|(c, d)| *d > 0 && *d <= (c.len().max(query.len()) / 3).max(1))
        .min_by_key(|(_, d)| *d)
        .map(|(c, _)| c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::{DataUseTag, Point, Sink, Span, Status};

    fn parse(text: &str) -> Result<(Config, Vec<Diagnostic>), ConfigError> {
        let path = Path::new("/project/privacy-lens.toml");
        let table = parse_toml(path, text)?;
        let root = Node::from_toml_table(&table, 0);
        build(
            &root,
            &Source::file(path, text, ""),
            Some(PathBuf::from("/project")),
        )
    }

    fn errors(text: &str) -> Vec<Diagnostic> {
        match parse(text) {
            Err(ConfigError::Invalid(errors)) => errors,
            other => panic!("expected validation errors, got {other:?}"),
        }
    }

    const FULL: &str = r#"
[rules]
severity = { PL101 = "error", "personal-data-in-training" = "info" }
disable = ["PL102"]
[sources]
"member_nickname" = "user.name"
[[sinks]]
call = "acme_ml.client.Predictor().predict"
kind = "local_inference"
[sanitizers]
calls = ["acme.privacy.redact"]
[paths]
exclude = ["tests/fixtures/**", "legacy/**", "*_generated.py"]
[[policy]]
name = "no health data to hosted LLMs"
deny = ["user.health_and_medical"]
to = ["llm_inference"]
"#;

    #[test]
    fn the_documented_example_parses() {
        let (config, warnings) = parse(FULL).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(config.severity.get("PL101"), Some(&Severity::Error));
        assert_eq!(config.severity.get("PL105"), Some(&Severity::Info));
        assert!(config.disabled.contains("PL102"));
        assert_eq!(
            config.sources,
            [SourcePattern {
                pattern: "member_nickname".into(),
                category: "user.name".into()
            }]
        );
        assert_eq!(config.sinks[0].kind, SinkKind::LocalInference);
        assert_eq!(config.sanitizers, ["acme.privacy.redact"]);
        assert_eq!(config.policies[0].to, [SinkKind::LlmInference]);
        let ext = config.extensions();
        assert_eq!(ext.sinks.len(), 1);
        assert_eq!(ext.sources.len(), 1);
    }

    #[test]
    fn excludes_are_relative_to_the_config_directory() {
        let (config, _) = parse(FULL).unwrap();
        let ex = &config.exclude;
        assert!(ex.is_excluded(Path::new("/project/tests/fixtures/a.py")));
        assert!(ex.is_excluded(Path::new("/project/tests/fixtures/deep/b.py")));
        assert!(ex.is_excluded(Path::new("/project/legacy/old.py")));
        assert!(ex.is_excluded(Path::new("/project/app/models_generated.py")));
        assert!(!ex.is_excluded(Path::new("/project/tests/test_app.py")));
        assert!(!ex.is_excluded(Path::new("/elsewhere/legacy/old.py")));
        assert!(!ex.is_excluded(Path::new("/project")));
    }

    #[test]
    fn errors_name_line_and_key() {
        let errors = errors("[sources]\n\"member_nickname\" = \"user.nam\"\n");
        assert_eq!(errors.len(), 1);
        let e = &errors[0];
        assert_eq!(e.key, "sources.member_nickname");
        assert_eq!(e.line, Some(2));
        assert!(
            e.message.contains("did you mean `user.name`"),
            "{}",
            e.message
        );
        assert_eq!(
            e.to_string(),
            format!(
                "/project/privacy-lens.toml:2:21: `sources.member_nickname`: {}",
                e.message
            )
        );
    }

    #[test]
    fn every_kind_of_bad_value_is_an_error() {
        let text = r#"
[rules]
severity = { PL999 = "error", PL101 = "loud" }
disable = ["personal-data-to-llmm", 3]
[sources]
memberNickname = "user.name"
[[sinks]]
call = "*.predict"
kind = "llm"
[[sinks]]
kind = "training"
[paths]
exclude = ["a/[b"]
[[policy]]
name = "x"
deny = ["user.healthy"]
to = ["hosted"]
"#;
        let errors = errors(text);
        let keys: Vec<(&str, Option<usize>)> =
            errors.iter().map(|e| (e.key.as_str(), e.line)).collect();
        assert_eq!(
            keys,
            [
                ("rules.severity.PL999", Some(3)),
                ("rules.severity.PL101", Some(3)),
                ("rules.disable[0]", Some(4)),
                ("rules.disable[1]", Some(4)),
                ("sources.memberNickname", Some(6)),
                ("sinks[0].call", Some(8)),
                ("sinks[0].kind", Some(9)),
                ("sinks[1]", errors[7].line),
                ("paths.exclude[0]", Some(13)),
                ("policy[0].deny[0]", Some(16)),
                ("policy[0].to[0]", Some(17)),
            ]
        );
        assert!(errors[4].message.contains("write `member_nickname`"));
        assert!(
            errors[2]
                .message
                .contains("did you mean `personal-data-to-llm`")
        );
    }

    #[test]
    fn unknown_keys_are_warnings_with_suggestions() {
        let (config, warnings) = parse("[rules]\nseverty = {}\n[extra]\nx = 1\n").unwrap();
        assert!(config.is_empty());
        assert_eq!(warnings.len(), 2);
        assert_eq!(warnings[0].key, "rules.severty");
        assert_eq!(warnings[0].line, Some(2));
        assert!(warnings[0].message.contains("did you mean `severity`"));
        assert_eq!(warnings[1].key, "extra");
        assert_eq!(warnings[1].line, Some(3));
    }

    #[test]
    fn syntax_errors_have_a_line() {
        match parse("[rules]\ndisable = [\"PL101\"\n") {
            Err(ConfigError::Syntax { line, .. }) => assert!(line >= 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn json_has_the_same_structure() {
        let value = serde_json::json!({
            "rules": { "severity": { "PL101": "hint" }, "disable": null },
            "sinks": [ { "call": "acme.ask", "kind": "llm_inference" } ],
            "paths": { "exclude": ["gen/**"] },
            "bogus": true,
        });
        let (mut config, warnings) = from_json_with_warnings(&value).unwrap();
        assert_eq!(config.severity.get("PL101"), Some(&Severity::Hint));
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].to_string(),
            "configuration: `bogus`: unknown key, ignored (expected one of `rules`, `sources`, `sinks`, `sanitizers`, `paths`, `policy`)"
        );
        assert!(config.exclude.is_excluded(Path::new("gen/x.py")));
        config.set_base_dir(Path::new("/ws"));
        assert!(config.exclude.is_excluded(Path::new("/ws/gen/x.py")));
        assert!(!config.exclude.is_excluded(Path::new("/other/gen/x.py")));

        let bad = serde_json::json!({ "sources": { "x": "user.nope" } });
        let err = from_json(&bad).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("configuration: `sources.x`: unknown data category"),
            "{err}"
        );
    }

    #[test]
    fn merge_lets_the_other_win() {
        let (mut base, _) = parse(FULL).unwrap();
        let over = from_json(&serde_json::json!({
            "rules": { "severity": { "PL102": "info" }, "disable": ["PL101"] },
            "sources": { "member_nickname": "user.contact.email" },
            "policy": [ { "name": "no health data to hosted LLMs", "deny": ["user.health_and_medical"] } ],
        }))
        .unwrap();
        base.merge(over);
        assert!(base.disabled.contains("PL101") && !base.severity.contains_key("PL101"));
        assert!(!base.disabled.contains("PL102"));
        assert_eq!(base.severity.get("PL102"), Some(&Severity::Info));
        assert_eq!(base.sources.len(), 1);
        assert_eq!(base.sources[0].category, "user.contact.email");
        assert_eq!(base.policies.len(), 1);
        assert!(base.policies[0].to.is_empty());
    }

    fn finding(code: &'static str, kind: SinkKind, categories: &[&str]) -> Finding {
        let rule = rules::find(code).unwrap();
        let point = Point { row: 0, column: 0 };
        Finding {
            code: rule.code,
            rule: rule.name,
            severity: rule.default_severity,
            message: "original".into(),
            span: Span {
                start_byte: 0,
                end_byte: 10,
                start: point,
                end: point,
            },
            sink: Some(Sink {
                kind,
                api: "openai.chat.completions.create".into(),
                provider: "OpenAI".into(),
            }),
            categories: categories.iter().map(|c| c.to_string()).collect(),
            sources: Vec::new(),
            flow: Vec::new(),
            tag: Some(DataUseTag::default()),
            status: Status::Declared,
            fixes: Vec::new(),
        }
    }

    #[test]
    fn policies_turn_flows_into_pl140() {
        let (config, _) = parse(FULL).unwrap();
        let mut findings = vec![
            finding(
                "PL130",
                SinkKind::LlmInference,
                &["user.health_and_medical.symptom", "user.name"],
            ),
            finding(
                "PL101",
                SinkKind::LlmInference,
                &["user.health_and_medical.symptom", "user.name"],
            ),
            finding("PL103", SinkKind::Embedding, &["user.health_and_medical"]),
            finding("PL102", SinkKind::LocalInference, &["user.name"]),
        ];
        apply(&config, &mut findings);
        assert_eq!(findings.len(), 2, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(
            (f.code, f.rule, f.severity),
            ("PL140", "denied-by-policy", Severity::Error)
        );
        assert_eq!(
            f.message,
            "Denied by policy \"no health data to hosted LLMs\": user.health_and_medical.symptom reach `openai.chat.completions.create`"
        );
        assert_eq!(f.status, Status::Declared);
        assert!(f.tag.is_some());
        assert_eq!(findings[1].code, "PL103");
    }
}
