//! What one module offers the modules that import it, in a form that
//! outlives its syntax tree: the functions, classes and values it defines,
//! each summarised (which parameters reach which AI calls, what personal data
//! it returns by itself, what it returns of its parameters). The flow engine
//! builds a [`ModuleSummary`] at the end of a file's analysis and consults
//! the summaries of imported modules through a [`ModuleProvider`], so flows
//! compose across files without re-analysing callees.

use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

use rustc_hash::FxHashMap as HashMap;

use crate::finding::{DataUseTag, SinkKind, Span};
use crate::knowledge::SinkEntry;

/// Gives a file's analysis the summaries of the local modules it imports.
pub trait ModuleProvider {
    /// The file being analysed (sources and sinks exported from it name it).
    fn file(&self) -> Option<Arc<Path>>;
    /// Whether the file's own summary is needed (the editor skips it for
    /// files nothing imports, on every keystroke).
    fn wants_summary(&self) -> bool {
        true
    }
    /// The summary of the module an import names (`.prompts`, `app.db`,
    /// `./helpers`, `@/lib/ai`), or `None` for modules outside the workspace.
    fn module(&self, spec: &str) -> Option<Arc<ModuleSummary>>;
    /// The analysis read `name` of a summary [`ModuleProvider::module`] gave
    /// it, or (`None`) depends on all of it: it keeps the module as a whole
    /// in its own summary, or re-exports everything. Import cycles use this
    /// to analyse a member again only when something it read has changed.
    fn observe(&self, _module: &Arc<ModuleSummary>, _name: Option<&str>) {}
}

/// Single-file analysis: nothing is imported from the workspace.
pub struct NoModules;

impl ModuleProvider for NoModules {
    fn file(&self) -> Option<Arc<Path>> {
        None
    }
    fn module(&self, _spec: &str) -> Option<Arc<ModuleSummary>> {
        None
    }
}

/// A shared pointer compared by identity: summaries are immutable once
/// built, so the same `Arc` means the same thing, and deep comparison of
/// recursive structures would be costly.
pub struct Shared<T>(pub Arc<T>);

impl<T> Clone for Shared<T> {
    fn clone(&self) -> Self {
        Shared(Arc::clone(&self.0))
    }
}

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}
impl<T> Eq for Shared<T> {}

impl<T> std::fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Shared({:p})", Arc::as_ptr(&self.0))
    }
}

impl<T> std::ops::Deref for Shared<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

#[derive(Debug, Default)]
pub struct ModuleSummary {
    /// Module-level names (JavaScript's default export is `default`).
    pub exports: HashMap<String, ExtValue>,
    /// Modules whose exports this one re-exports wholesale (`export * from`,
    /// `from .x import *`).
    pub star_exports: Vec<Arc<ModuleSummary>>,
    /// Changes when anything an importer can observe changes.
    pub fingerprint: u64,
}

impl ModuleSummary {
    /// An exported name, looking through wholesale re-exports.
    pub fn export(&self, name: &str) -> Option<&ExtValue> {
        self.export_at(name, 0)
    }

    fn export_at(&self, name: &str, depth: usize) -> Option<&ExtValue> {
        if let Some(value) = self.exports.get(name) {
            return Some(value);
        }
        if depth > 8 {
            return None;
        }
        self.star_exports
            .iter()
            .find_map(|m| m.export_at(name, depth + 1))
    }

    /// Changes when what [`ModuleSummary::export`] gives for `name` changes
    /// (`None` when the name is not exported).
    pub fn export_fingerprint(&self, name: &str) -> Option<u64> {
        let value = self.export(name)?;
        let mut hasher = rustc_hash::FxHasher::default();
        value.hash_into(&mut hasher, 0);
        Some(hasher.finish())
    }

    /// Computes [`ModuleSummary::fingerprint`] from the contents.
    pub fn seal(mut self) -> ModuleSummary {
        let mut hasher = rustc_hash::FxHasher::default();
        let mut names: Vec<&String> = self.exports.keys().collect();
        names.sort();
        for name in names {
            name.hash(&mut hasher);
            self.exports[name].hash_into(&mut hasher, 0);
        }
        for star in &self.star_exports {
            star.fingerprint.hash(&mut hasher);
        }
        self.fingerprint = hasher.finish();
        self
    }
}

/// A value a module exports.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtValue {
    pub labels: Vec<ExtLabel>,
    pub origin: ExtOrigin,
}

impl ExtValue {
    fn hash_into(&self, h: &mut impl Hasher, depth: usize) {
        for label in &self.labels {
            label.hash_into(h);
        }
        self.origin.hash_into(h, depth);
    }
}

/// What an exported value is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ExtOrigin {
    #[default]
    Unknown,
    /// A call path into a library (`openai.OpenAI()`), as the engine keeps it.
    Path {
        path: Arc<str>,
        rooted: bool,
    },
    Function(Shared<ExtFunction>),
    Class(Shared<ExtClass>),
    Instance(Shared<ExtClass>),
    /// A module (`import app.db as db`, `import * as h from "./h"`), with the
    /// spec it was imported by so that submodules can be resolved.
    Module(Shared<ModuleSummary>, Arc<str>),
}

impl ExtOrigin {
    fn hash_into(&self, h: &mut impl Hasher, depth: usize) {
        std::mem::discriminant(self).hash(h);
        if depth > 4 {
            return;
        }
        match self {
            ExtOrigin::Unknown => {}
            ExtOrigin::Path { path, rooted } => {
                path.hash(h);
                rooted.hash(h);
            }
            ExtOrigin::Function(f) => f.hash_into(h, depth + 1),
            ExtOrigin::Class(c) | ExtOrigin::Instance(c) => c.hash_into(h, depth + 1),
            ExtOrigin::Module(m, spec) => {
                m.fingerprint.hash(h);
                spec.hash(h);
            }
        }
    }
}

/// Personal data carried out of a module, with where it entered and the
/// path it took there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtLabel {
    pub category: &'static str,
    pub source: Arc<ExtSource>,
    /// Steps after the source, in order.
    pub steps: Arc<[ExtStep]>,
}

impl ExtLabel {
    fn hash_into(&self, h: &mut impl Hasher) {
        self.category.hash(h);
        self.source.file.hash(h);
        self.source.span.start_byte.hash(h);
        self.source.evidence.hash(h);
        self.steps.len().hash(h);
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtSource {
    pub file: Arc<Path>,
    pub span: Span,
    pub evidence: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtStep {
    pub file: Arc<Path>,
    pub span: Span,
    pub note: Arc<str>,
}

/// An AI call in some module, as seen by the modules that reach it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtSink {
    pub file: Arc<Path>,
    pub span: Span,
    pub entry: SinkEntry,
    /// The `@data-use` tag over the call, which decides a flow's status.
    pub tag: Option<DataUseTag>,
    /// Where a new tag line goes (start of the call's first line) and the
    /// indentation it takes, for the "add tag" fix.
    pub tag_insert: Option<(Span, String)>,
    pub comment_prefix: &'static str,
}

/// A parameter (or a field of the instance) that reaches an AI call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtParamSink {
    pub param: u16,
    pub sink: Arc<ExtSink>,
    /// The path from the parameter to the call, inside the callee.
    pub steps: Arc<[ExtStep]>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtFunction {
    pub name: String,
    pub params: Vec<String>,
    /// A method whose first parameter is its instance (`self`).
    pub takes_self: bool,
    pub returns: Vec<ExtLabel>,
    /// Bit i: parameter i flows to the return value.
    pub returns_params: u64,
    pub return_origin: ExtOrigin,
    pub param_sinks: Vec<ExtParamSink>,
    /// Fields of the instance (`self.history`) that reach AI calls.
    pub field_sinks: Vec<(String, ExtParamSink)>,
    /// `@sanitizer`: `Some(categories)` (empty: all).
    pub sanitizer: Option<Vec<&'static str>>,
    /// `@ai-sink <kind>`: calling it is an AI call.
    pub ai_sink: Option<SinkKind>,
}

impl ExtFunction {
    fn hash_into(&self, h: &mut impl Hasher, depth: usize) {
        self.name.hash(h);
        self.params.hash(h);
        self.takes_self.hash(h);
        for label in &self.returns {
            label.hash_into(h);
        }
        self.returns_params.hash(h);
        self.return_origin.hash_into(h, depth);
        for sink in self
            .param_sinks
            .iter()
            .chain(self.field_sinks.iter().map(|(_, s)| s))
        {
            sink.param.hash(h);
            sink.sink.file.hash(h);
            sink.sink.span.start_byte.hash(h);
            sink.sink.tag.hash(h);
        }
        for (field, _) in &self.field_sinks {
            field.hash(h);
        }
        self.sanitizer.hash(h);
        self.ai_sink.hash(h);
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExtClass {
    pub name: String,
    pub methods: HashMap<String, Arc<ExtFunction>>,
    /// Fields set in the class's own code.
    pub fields: HashMap<String, ExtValue>,
}

impl ExtClass {
    fn hash_into(&self, h: &mut impl Hasher, depth: usize) {
        self.name.hash(h);
        let mut methods: Vec<_> = self.methods.iter().collect();
        methods.sort_by(|a, b| a.0.cmp(b.0));
        for (name, f) in methods {
            name.hash(h);
            f.hash_into(h, depth + 1);
        }
        let mut fields: Vec<_> = self.fields.iter().collect();
        fields.sort_by(|a, b| a.0.cmp(b.0));
        for (name, v) in fields {
            name.hash(h);
            v.hash_into(h, depth + 1);
        }
    }
}
