//! Taint propagation from personal-data sources to AI calls within one file.
//!
//! The engine evaluates the syntax tree in source order. Every expression
//! gets a [`Value`]: the personal-data labels it carries and, when known,
//! what it is (an import path such as `openai.OpenAI()`, a local function, a
//! class or an instance). Roles come from the language's fact query; any
//! node without a role takes the union of its children, which covers
//! operators, `await`, conditionals and string concatenation in every
//! language alike.
//!
//! Functions are analysed once per pass with their parameters bound to
//! symbolic labels, which yields summaries (parameter → return, parameter →
//! sink, personal data returned by the function itself). Passes repeat until
//! summaries and class fields stop changing (at most [`MAX_PASSES`]).

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::borrow::Cow;
use std::rc::Rc;
use std::time::{Duration, Instant};

use tree_sitter::Node;

use std::path::Path;
use std::sync::Arc;

use super::Extensions;
use super::classify::{self, Classifier};
use super::facts::{Facts, ImportFact, NodeMap, Part, Role};
use super::sinks::Resolver;
use super::summary::{
    ExtClass, ExtFunction, ExtLabel, ExtOrigin, ExtParamSink, ExtSink, ExtSource, ExtStep,
    ExtValue, ModuleProvider, ModuleSummary, Shared,
};
use super::tags::{self, FileTags, TagKind};
use crate::finding::{
    AnalysisNote, FileAnalysis, Finding, Fix, FixKind, FlowStep, RecognisedSink, Severity, Sink,
    SinkKind, SourceRef, Span, Status,
};
use crate::knowledge::{self, SinkEntry};
use crate::language::Language;
use crate::rules;

mod cross_file;
mod records;

const MAX_PASSES: usize = 4;
/// Expression nesting beyond this is not followed (no stack overflow on
/// hostile input); the file gets a note.
const MAX_DEPTH: usize = 300;
const MAX_LABELS: usize = 24;
/// Stack left before `stacker` moves evaluation to a new segment, and that
/// segment's size.
const STACK_RED_ZONE: usize = 128 * 1024;
const STACK_GROWTH: usize = 4 * 1024 * 1024;
const MAX_PATH_STEPS: usize = 24;
const NO_STEP: u32 = u32::MAX;

/// Category placeholder of symbolic parameter labels.
const SYMBOLIC: &str = "";

/// Pseudonymous ids alone are not worth a finding.
const LOW_SIGNAL_PREFIX: &str = "user.unique_id";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum LabelOrigin {
    /// Index into `Engine::sources`.
    Source(u32),
    /// The n-th parameter of the function being analysed.
    Param(u16),
    /// A field of the method's own instance (`self.history`), by index into
    /// `Engine::field_names`: importers that set the field see where it goes.
    Field(u16),
}

#[derive(Debug, Clone, Copy)]
struct Label {
    category: &'static str,
    origin: LabelOrigin,
    /// Last step of the path that brought the data here.
    step: u32,
}

impl Label {
    fn is_symbolic(&self) -> bool {
        matches!(self.origin, LabelOrigin::Param(_) | LabelOrigin::Field(_))
    }
}

type FnId = usize;
type ClassId = usize;

#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum Origin {
    #[default]
    Unknown,
    /// A dotted call path; `rooted` when its first segment is an import or a
    /// global (so it can be matched against the catalogue as is).
    Path {
        path: Rc<str>,
        rooted: bool,
    },
    Function(FnId),
    Class(ClassId),
    Instance(ClassId),
    /// Something defined in another module of the workspace.
    Ext(ExtOrigin),
}

impl Origin {
    fn path(&self) -> Option<(&str, bool)> {
        match self {
            Origin::Path { path, rooted } => Some((path, *rooted)),
            _ => None,
        }
    }

    /// The path with `separator` and `segment` appended (`.chat`, `()`),
    /// up to a length that no real call path reaches.
    fn extend(&self, separator: &str, segment: &str) -> Origin {
        match self {
            Origin::Path { path, rooted } if path.len() < 200 => {
                let mut extended =
                    String::with_capacity(path.len() + separator.len() + segment.len());
                extended.push_str(path);
                extended.push_str(separator);
                extended.push_str(segment);
                Origin::Path {
                    path: extended.into(),
                    rooted: *rooted,
                }
            }
            _ => Origin::Unknown,
        }
    }
}

#[derive(Debug, Clone, Default)]
struct Value {
    labels: Vec<Label>,
    origin: Origin,
    /// A literal with nothing personal interpolated into it.
    constant: bool,
    /// The result of a sanitizer: names must not re-label it.
    sanitized: bool,
    /// String constants this value holds (a literal or a list of literals),
    /// used as keys and column names.
    strings: Option<Rc<Vec<String>>>,
}

impl Value {
    fn union(&mut self, other: &Value) {
        for label in &other.labels {
            push_label(&mut self.labels, *label);
        }
        self.constant = self.constant && other.constant;
        self.sanitized = false;
    }

    fn has_category(&self, category: &str) -> bool {
        self.labels
            .iter()
            .any(|l| same_category(l.category, category))
    }
}

/// Category keys are nearly always the vocabulary's own `&'static str`s:
/// comparing the pointers first saves a `memcmp` on a hot path.
fn same_category(a: &str, b: &str) -> bool {
    std::ptr::eq(a, b) || a == b
}

fn push_label(labels: &mut Vec<Label>, label: Label) {
    if labels.len() >= MAX_LABELS
        || labels
            .iter()
            .any(|l| l.origin == label.origin && same_category(l.category, label.category))
    {
        return;
    }
    labels.push(label);
}

struct SourceInfo {
    /// `None`: the file being analysed.
    file: Option<Arc<Path>>,
    span: Span,
    category: &'static str,
    evidence: String,
    /// Column name when the source is a table column (so `drop` can remove it).
    column: Option<String>,
}

struct Step {
    prev: u32,
    /// `None`: the file being analysed.
    file: Option<Arc<Path>>,
    span: Span,
    /// Shared: one assignment adds a step for each label it carries.
    note: Rc<str>,
    /// Steps from the start of the path, this one included.
    depth: u16,
}

struct FunctionInfo<'t> {
    node: Node<'t>,
    name: String,
    /// Name, name node and declared type of each parameter.
    params: Vec<(String, Node<'t>, Option<Node<'t>>)>,
    body: Option<Node<'t>>,
    /// The body is an expression whose value is returned (`x => x.email`).
    expression_body: bool,
    class: Option<ClassId>,
    parent: Option<FnId>,
}

impl FunctionInfo<'_> {
    /// Methods that receive their instance as the first parameter (Python's
    /// `self`); callers through an instance skip it.
    fn takes_self(&self) -> bool {
        self.class.is_some()
            && self
                .params
                .first()
                .is_some_and(|(n, _, _)| n == "self" || n == "cls")
    }
}

struct ClassInfo {
    name: String,
    /// Where the class is defined (identifies its fields across analyses).
    span: Span,
    methods: HashMap<String, FnId>,
}

type SummaryFingerprint = (
    Vec<(&'static str, LabelOrigin)>,
    u64,
    Origin,
    Vec<(u16, usize)>,
);

#[derive(Debug, Clone, Default)]
struct Summary {
    /// Personal data the function returns by itself.
    returns: Vec<Label>,
    /// Bit i: parameter i flows to the return value.
    returns_params: u64,
    return_origin: Origin,
    /// Parameter i reaches sink s, along the step chain ending at `step`.
    param_sinks: Vec<(u16, usize, u32)>,
    /// Field f of the instance reaches sink s (methods only).
    field_sinks: Vec<(u16, usize, u32)>,
}

impl Summary {
    /// What callers can observe of a summary; a change means another pass.
    fn fingerprint(&self) -> SummaryFingerprint {
        let mut returns: Vec<_> = self
            .returns
            .iter()
            .map(|l| (l.category, l.origin))
            .collect();
        returns.sort_unstable();
        let mut sinks: Vec<_> = self
            .param_sinks
            .iter()
            .map(|(p, s, _)| (*p, *s))
            .chain(self.field_sinks.iter().map(|(f, s, _)| (u16::MAX - *f, *s)))
            .collect();
        sinks.sort_unstable();
        sinks.dedup();
        (
            returns,
            self.returns_params,
            self.return_origin.clone(),
            sinks,
        )
    }
}

/// A recognised AI call site.
struct SinkSite {
    span: Span,
    entry: Cow<'static, SinkEntry>,
    /// An AI call in another module, reached through an imported function.
    ext: Option<Arc<ExtSink>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum FindingKind {
    Flow,
    Identifier,
}

/// Where a function body is being evaluated.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Context {
    Module,
    Function(FnId),
    Class(ClassId),
}

struct Frame<'a> {
    function: Option<FnId>,
    env: HashMap<&'a str, Value>,
    /// Inside branches and loops assignments add to, not replace, a variable's value.
    conditional_depth: usize,
    returned: Value,
    summary: Summary,
    /// Variables from which a clearly personal field was read: their other
    /// fields count as read off a person record (`event["ip_address"]` makes
    /// `event["device_id"]` personal too).
    person_records: HashSet<&'a str>,
}

pub struct Engine<'a, 't> {
    src: &'a str,
    provider: &'a dyn ModuleProvider,
    this_file: Option<Arc<Path>>,
    /// Imported sources and sinks, by identity, so each enters once.
    ext_source_ids: HashMap<(usize, &'static str), u32>,
    ext_sink_ids: HashMap<(Arc<Path>, usize), usize>,
    /// Modules imported wholesale (`from x import *`, `export * from`).
    star_modules: Vec<Arc<ModuleSummary>>,
    /// Fields this file sets on instances of imported classes.
    ext_fields: HashMap<(usize, String), Value>,
    field_names: Vec<String>,
    facts: &'a Facts<'t>,
    tags: &'a FileTags,
    language: Language,
    project: ProjectKnowledge,
    /// The function each function-level tag (`@sanitizer`, `@ai-sink`,
    /// `@personal-data` above a `def`) belongs to.
    tag_owner: Vec<Option<FnId>>,
    resolver: &'static Resolver,
    classifier: &'static Classifier,
    imported_roots: HashSet<String>,
    imports_ml: bool,

    functions: Vec<FunctionInfo<'t>>,
    function_ids: NodeMap<FnId>,
    classes: Vec<ClassInfo>,
    class_ids: NodeMap<ClassId>,
    summaries: Vec<Summary>,
    fields: Vec<HashMap<String, Value>>,
    final_envs: Vec<Option<HashMap<&'a str, Value>>>,
    module_env: HashMap<&'a str, Value>,

    sources: Vec<SourceInfo>,
    source_ids: HashMap<(usize, &'static str), u32>,
    steps: Vec<Step>,
    sink_sites: Vec<SinkSite>,
    sink_ids: NodeMap<usize>,
    findings: HashMap<(usize, FindingKind), Vec<Label>>,

    /// Set when something read earlier in this pass has changed since.
    changed: bool,
    cursors: Vec<tree_sitter::TreeCursor<'t>>,
    /// Module-level code of this pass has run: functions may be analysed on demand.
    module_done: bool,
    in_progress: Vec<FnId>,
    pass: usize,
    analysed_in_pass: Vec<usize>,
    read_before_analysis: HashSet<FnId>,
    field_reads: HashSet<(ClassId, String)>,
    context: Context,
    depth: usize,
    depth_exceeded: bool,
    evaluations: u64,
    deadline: Instant,
    timed_out: bool,

    /// The outermost function each function is nested in (itself when at
    /// module or class level): the unit re-analysed after an edit.
    unit_of: Vec<FnId>,
    /// The unit being analysed; `None` for module-level code.
    current_unit: Option<FnId>,
    /// Set for a re-analysis of only some units (see [`PartialRun`]).
    partial: Option<Partial>,
    /// Keep what [`Records`] needs (the editor's incremental re-analysis).
    recording: bool,
    /// Units whose analysis put labels on each sink, in this pass.
    contributors: HashMap<usize, Vec<Option<FnId>>>,
    /// Class fields read and written by each unit, in this pass.
    field_touches: HashSet<(Option<FnId>, ClassId, String, bool)>,
    /// What each unit wrote into class fields, in this pass.
    field_writes: Vec<(FnId, ClassId, String, Value)>,
    /// Units whose analysis changes state every later evaluation reads
    /// (imports inside functions, fields of imported classes).
    sticky_units: HashSet<FnId>,
}

/// A re-analysis of some units of a file whose other units are known from
/// the previous analysis of the same text around them.
#[derive(Debug, Clone, Default)]
pub struct PartialRun {
    /// Byte ranges of the outermost functions to analyse (module-level code
    /// always is, and so is every unit whose summary something analysed reads).
    pub units: Vec<(usize, usize)>,
    /// Start bytes of the AI calls recognised in the units left out.
    pub other_sinks: Vec<usize>,
}

struct Partial {
    spans: HashSet<(usize, usize)>,
    active: HashSet<FnId>,
    other_sinks: Vec<usize>,
    activated_in_pass: Vec<FnId>,
}

/// What an analysis leaves for re-analysing only the edited unit next time.
#[derive(Debug, Clone, Default)]
pub struct Records {
    /// Units analysed (in the final pass), with what the rest can observe of them.
    pub units: Vec<UnitRecord>,
    /// Byte ranges of every outermost function registered.
    pub all_units: Vec<(usize, usize)>,
    /// For each AI call that received personal data, the byte ranges of the
    /// units whose analysis put it there (`None`: module-level code).
    pub contributors: Vec<(SinkRef, Vec<Option<UnitSpan>>)>,
}

/// A unit's byte range (of its outermost function node).
pub type UnitSpan = (usize, usize);

/// An AI call, in this file or (reached through an import) in another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SinkRef {
    Local(Span),
    Elsewhere(std::path::PathBuf, Span),
}

/// One unit as the rest of the file sees it.
#[derive(Debug, Clone, Default)]
pub struct UnitRecord {
    pub start: usize,
    pub end: usize,
    /// Its functions' names, parameters and summaries, and what it wrote to
    /// class fields: if these are the same after an edit, nothing else changes.
    pub effects: Vec<Token>,
    /// Class fields it read and wrote, by the class's start byte.
    pub reads: Vec<(usize, String)>,
    pub writes: Vec<(usize, String)>,
    /// It changes state that every later evaluation reads: always re-analysed.
    pub sticky: bool,
}

/// One piece of a unit's effects; spans move with edits before them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Text(Arc<str>),
    Num(u64),
    At(Span),
}

impl<'a, 't> Engine<'a, 't> {
    pub fn new(
        src: &'a str,
        facts: &'a Facts<'t>,
        tags: &'a FileTags,
        language: Language,
        extensions: &Extensions,
        time_limit: Duration,
        provider: &'a dyn ModuleProvider,
    ) -> Self {
        let resolver = super::sinks::resolver(language);
        Engine {
            project: ProjectKnowledge::new(extensions),
            src,
            this_file: provider.file(),
            provider,
            ext_source_ids: HashMap::default(),
            ext_sink_ids: HashMap::default(),
            star_modules: Vec::new(),
            ext_fields: HashMap::default(),
            field_names: Vec::new(),
            facts,
            tags,
            language,
            tag_owner: vec![None; tags.tags.len()],
            resolver,
            classifier: classify::get(),
            imported_roots: HashSet::default(),
            imports_ml: false,
            functions: Vec::new(),
            function_ids: NodeMap::default(),
            classes: Vec::new(),
            class_ids: NodeMap::default(),
            summaries: Vec::new(),
            fields: Vec::new(),
            final_envs: Vec::new(),
            module_env: HashMap::default(),
            sources: Vec::new(),
            source_ids: HashMap::default(),
            steps: Vec::new(),
            sink_sites: Vec::new(),
            sink_ids: NodeMap::default(),
            findings: HashMap::default(),
            changed: false,
            cursors: Vec::new(),
            module_done: false,
            in_progress: Vec::new(),
            pass: 0,
            analysed_in_pass: Vec::new(),
            read_before_analysis: HashSet::default(),
            field_reads: HashSet::default(),
            context: Context::Module,
            depth: 0,
            depth_exceeded: false,
            evaluations: 0,
            deadline: Instant::now() + time_limit,
            timed_out: false,
            unit_of: Vec::new(),
            current_unit: None,
            partial: None,
            recording: false,
            contributors: HashMap::default(),
            field_touches: HashSet::default(),
            field_writes: Vec::new(),
            sticky_units: HashSet::default(),
        }
    }

    /// Analyses only the units `partial` names (and those they need).
    pub fn partial(mut self, partial: PartialRun) -> Self {
        self.partial = Some(Partial {
            spans: partial.units.into_iter().collect(),
            active: HashSet::default(),
            other_sinks: partial.other_sinks,
            activated_in_pass: Vec::new(),
        });
        self
    }

    /// Keeps what [`Engine::run_recorded`] returns.
    pub fn recording(mut self) -> Self {
        self.recording = true;
        self
    }

    /// Runs the passes over the whole file and returns what it found.
    /// Runs the passes over the whole file and returns what it found and,
    /// when the provider names the file, what it exports to importers.
    pub fn run(self, root: Node<'t>) -> (FileAnalysis, Option<ModuleSummary>) {
        let (analysis, summary, _) = self.run_recorded(root);
        (analysis, summary)
    }

    /// [`Engine::run`], also returning the [`Records`] of the units analysed
    /// (empty unless [`Engine::recording`] was asked for).
    pub fn run_recorded(
        mut self,
        root: Node<'t>,
    ) -> (FileAnalysis, Option<ModuleSummary>, Records) {
        for _ in 0..MAX_PASSES {
            self.changed = false;
            self.pass += 1;
            self.read_before_analysis.clear();
            self.field_reads.clear();
            self.findings.clear();
            self.contributors.clear();
            self.field_touches.clear();
            self.field_writes.clear();
            if let Some(partial) = &mut self.partial {
                partial.activated_in_pass.clear();
            }
            let mut frame = Frame {
                function: None,
                env: std::mem::take(&mut self.module_env),
                conditional_depth: 0,
                returned: Value::default(),
                summary: Summary::default(),
                person_records: HashSet::default(),
            };
            self.context = Context::Module;
            self.eval(root, &mut frame);
            self.module_env = frame.env;
            // Functions discovered while analysing others join the queue.
            let mut index = 0;
            self.module_done = true;
            while index < self.functions.len() && !self.timed_out {
                if self.analysed_in_pass[index] != self.pass && self.is_active(index) {
                    self.analyse_function(index);
                }
                index += 1;
            }
            self.module_done = false;
            // A unit needed only after the queue passed it gets another pass.
            if let Some(partial) = &self.partial
                && partial
                    .activated_in_pass
                    .iter()
                    .any(|u| self.analysed_in_pass[*u] != self.pass)
            {
                self.changed = true;
            }
            if !self.changed || self.timed_out {
                break;
            }
        }
        let summary = self
            .this_file
            .clone()
            .filter(|_| self.provider.wants_summary() && self.partial.is_none())
            .map(|file| self.export_summary(&file));
        let records = if self.recording {
            self.records()
        } else {
            Records::default()
        };
        (self.into_analysis(), summary, records)
    }

    /// Whether function `f` is analysed in this run.
    fn is_active(&self, f: FnId) -> bool {
        self.partial
            .as_ref()
            .is_none_or(|p| p.active.contains(&self.unit_of[f]))
    }

    /// Something reads `f`'s summary: its unit must be analysed.
    fn activate(&mut self, f: FnId) {
        let unit = self.unit_of[f];
        if let Some(partial) = &mut self.partial
            && partial.active.insert(unit)
        {
            partial.activated_in_pass.push(unit);
        }
    }

    // ------------------------------------------------------------ helpers

    fn text(&self, node: Node) -> &'a str {
        self.src
            .get(node.start_byte()..node.end_byte())
            .unwrap_or("")
    }

    fn short_text(&self, node: Node) -> String {
        let text = self.text(node);
        let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        if one_line.chars().count() > 60 {
            let cut: String = one_line.chars().take(57).collect();
            format!("{cut}…")
        } else {
            one_line
        }
    }

    fn role(&self, node: Node<'t>) -> Option<Role> {
        self.facts.role(node)
    }

    fn part(&self, node: Node<'t>, part: Part) -> Option<Node<'t>> {
        self.facts.get(node).and_then(|f| f.part(part))
    }

    fn step(&mut self, prev: u32, node: Node, note: String) -> u32 {
        let depth = self.depth_of(prev) + 1;
        self.steps.push(Step {
            prev,
            file: None,
            span: Span::of(&node),
            note: note.into(),
            depth,
        });
        (self.steps.len() - 1) as u32
    }

    /// Labels `value` with a new step (assignment, return, call).
    fn advance(&mut self, value: &Value, node: Node, note: impl Fn() -> String) -> Value {
        let mut out = value.clone();
        if out.labels.is_empty() {
            return out;
        }
        let note: Rc<str> = note().into();
        let span = Span::of(&node);
        for label in &mut out.labels {
            let depth = self.depth_of(label.step);
            if usize::from(depth) < MAX_PATH_STEPS {
                self.steps.push(Step {
                    prev: label.step,
                    file: None,
                    span,
                    note: note.clone(),
                    depth: depth + 1,
                });
                label.step = (self.steps.len() - 1) as u32;
            }
        }
        out
    }

    fn depth_of(&self, step: u32) -> u16 {
        self.steps.get(step as usize).map_or(0, |s| s.depth)
    }

    fn source(
        &mut self,
        node: Node,
        category: &'static str,
        evidence: String,
        column: Option<String>,
    ) -> Label {
        let key = (node.id(), category);
        let id = match self.source_ids.get(&key) {
            Some(id) => *id,
            None => {
                self.sources.push(SourceInfo {
                    file: None,
                    span: Span::of(&node),
                    category,
                    evidence,
                    column,
                });
                let id = (self.sources.len() - 1) as u32;
                self.source_ids.insert(key, id);
                id
            }
        };
        Label {
            category,
            origin: LabelOrigin::Source(id),
            step: NO_STEP,
        }
    }

    fn lookup(&self, frame: &Frame<'a>, name: &str) -> Option<Value> {
        if let Some(v) = frame.env.get(name) {
            return Some(v.clone());
        }
        let mut parent = frame.function.and_then(|f| self.functions[f].parent);
        while let Some(p) = parent {
            if let Some(v) = self
                .final_envs
                .get(p)
                .and_then(|e| e.as_ref())
                .and_then(|e| e.get(name))
            {
                return Some(v.clone());
            }
            parent = self.functions[p].parent;
        }
        if frame.function.is_some() {
            return self.module_env.get(name).cloned();
        }
        None
    }

    fn bind_name(&mut self, frame: &mut Frame<'a>, name: &'a str, value: Value) {
        if frame.conditional_depth > 0
            && let Some(existing) = frame.env.get_mut(name)
        {
            let origin = if value.origin != Origin::Unknown {
                value.origin.clone()
            } else {
                existing.origin.clone()
            };
            existing.union(&value);
            existing.origin = origin;
            return;
        }
        frame.env.insert(name, value);
    }

    fn field_id(&mut self, name: &str) -> u16 {
        match self.field_names.iter().position(|f| f == name) {
            Some(i) => i as u16,
            None => {
                self.field_names.push(name.to_string());
                (self.field_names.len() - 1).min(u16::MAX as usize) as u16
            }
        }
    }

    fn out_of_budget(&mut self) -> bool {
        self.evaluations += 1;
        if self.evaluations.is_multiple_of(4096) && Instant::now() > self.deadline {
            self.timed_out = true;
        }
        self.timed_out
    }

    // ------------------------------------------------------------ evaluation

    fn eval(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        if self.out_of_budget() {
            return Value::default();
        }
        if self.depth >= MAX_DEPTH {
            self.depth_exceeded = true;
            return Value::default();
        }
        self.depth += 1;
        // Frames are large in debug builds and threads may have small stacks
        // (2 MiB for rayon and tokio): grow the stack on the heap when it
        // runs low instead of overflowing.
        let value = stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.eval_inner(node, frame)
        });
        self.depth -= 1;
        value
    }

    fn eval_inner(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let Some(role) = self.role(node) else {
            return self.eval_children(node, frame);
        };
        match role {
            Role::Name => self.eval_name(node, frame),
            Role::SelfRef => self.lookup(frame, "self").unwrap_or_default(),
            Role::Str => self.eval_string(node, frame),
            Role::Member => self.eval_member(node, frame),
            Role::Index => self.eval_index(node, frame),
            Role::Call => self.eval_call(node, frame),
            Role::Assign => self.eval_assign(node, frame),
            Role::Update => self.eval_update(node, frame),
            Role::Dict => self.eval_children(node, frame),
            Role::Pair => self.eval_pair(node, frame),
            Role::KeywordArg => {
                let value = self.part(node, Part::Value);
                value.map(|v| self.eval(v, frame)).unwrap_or_default()
            }
            Role::Spread => self.eval_children(node, frame),
            Role::Comprehension => self.eval_comprehension(node, frame),
            Role::Loop => self.eval_loop(node, frame),
            Role::Branch => {
                frame.conditional_depth += 1;
                self.eval_children(node, frame);
                frame.conditional_depth -= 1;
                Value::default()
            }
            Role::Return => {
                let value = self.eval_children(node, frame);
                let value = self.advance(&value, node, || "returned".to_string());
                frame.returned.union(&value);
                if value.origin != Origin::Unknown {
                    frame.returned.origin = value.origin;
                }
                Value::default()
            }
            Role::Opaque => {
                self.eval_children(node, frame);
                Value::default()
            }
            Role::Function => self.eval_function_definition(node, frame),
            Role::Lambda => {
                let body = self.part(node, Part::Body);
                let mut value = body.map(|b| self.eval(b, frame)).unwrap_or_default();
                value.origin = Origin::Unknown;
                value
            }
            Role::Class => self.eval_class_definition(node, frame),
            Role::Import => {
                if self.language.is_javascript_family() && node.kind() == "export_statement" {
                    // Only `export … from "m"` imports anything; the import
                    // query is not run over exported declarations (a whole
                    // class or namespace body).
                    if node.child_by_field_name("source").is_some() {
                        self.bind_imports(node, frame);
                    }
                    self.eval_export(node, frame);
                } else {
                    self.bind_imports(node, frame);
                }
                Value::default()
            }
            Role::Param | Role::Comment | Role::Inert => Value::default(),
            Role::Destructure => self.eval_children(node, frame),
        }
    }

    fn eval_children(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        // Wrappers (statements, parentheses, `await`, interpolations) pass
        // their only child's value through unchanged.
        if node.named_child_count() == 1
            && let Some(child) = node.named_child(0)
            && self.role(child) != Some(Role::Comment)
        {
            return self.eval(child, frame);
        }
        let mut value = Value {
            constant: true,
            ..Value::default()
        };
        let mut strings: Option<Vec<String>> = Some(Vec::new());
        let mut any = false;
        // Cursors are pooled: creating one allocates, and this runs for
        // nearly every node.
        let mut cursor = match self.cursors.pop() {
            Some(mut cursor) => {
                cursor.reset(node);
                cursor
            }
            None => node.walk(),
        };
        let mut more = cursor.goto_first_child();
        while more {
            let child = cursor.node();
            more = cursor.goto_next_sibling();
            if !child.is_named() || self.role(child) == Some(Role::Comment) {
                continue;
            }
            any = true;
            let v = self.eval(child, frame);
            match (&mut strings, &v.strings) {
                // Keys and column lists are short; long runs of text are not.
                (Some(acc), Some(s)) if acc.len() + s.len() <= 64 => acc.extend(s.iter().cloned()),
                _ => strings = None,
            }
            if v.origin != Origin::Unknown && !self.is_invocable_model(&value.origin) {
                value.origin = v.origin.clone();
            }
            value.union(&v);
        }
        self.cursors.push(cursor);
        if !any {
            // A leaf: a number, a keyword literal, an operator.
            value.constant = true;
            value.strings = None;
            return value;
        }
        value.strings = strings.filter(|s| !s.is_empty()).map(Rc::new);
        value
    }

    /// Whether invoking this object is an AI call: in `prompt | llm | parser`
    /// the chain keeps the model's identity.
    fn is_invocable_model(&self, origin: &Origin) -> bool {
        match origin.path() {
            Some((path, true)) => self.resolver.sink(&format!("{path}.invoke")).is_some(),
            _ => false,
        }
    }

    fn eval_name(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let name = self.text(node);
        if let Some(value) = self.lookup(frame, name) {
            return value;
        }
        if !self.star_modules.is_empty()
            && let Some(value) = self.star_import(name)
        {
            return value;
        }
        let mut value = Value {
            origin: Origin::Path {
                path: name.into(),
                rooted: true,
            },
            ..Value::default()
        };
        if let Some(class) = self.classify_name(name, false) {
            let label = self.source(node, class.category, name.to_string(), None);
            value.labels.push(label);
        }
        value
    }

    fn eval_string(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let mut value = self.eval_children(node, frame);
        let interpolated = !value.labels.is_empty() || value.origin != Origin::Unknown;
        let text = self.text(node);
        if !interpolated {
            value.constant = true;
            value.strings = Some(Rc::new(vec![string_content(text).to_string()]));
        } else {
            value.strings = None;
        }
        value.origin = Origin::Unknown;
        if let Some((category, name)) = self.classifier.classify_literal(text) {
            let label = self.source(node, category, format!("{name} in a string literal"), None);
            push_label(&mut value.labels, label);
            value.constant = false;
        }
        value
    }

    /// `export function f() {}`, `export const x = …`, `export default …`:
    /// the declaration is evaluated as usual; a default export is bound as
    /// `default`.
    fn eval_export(&mut self, node: Node<'t>, frame: &mut Frame<'a>) {
        let mut default_keyword = None;
        let mut value = Value::default();
        for child in named_children(node) {
            if matches!(child.kind(), "string" | "export_clause")
                || self.role(child) == Some(Role::Comment)
            {
                continue;
            }
            value = self.eval(child, frame);
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.kind() == "default" {
                default_keyword = Some(child);
            }
        }
        if let Some(keyword) = default_keyword
            && frame.function.is_none()
        {
            frame.env.insert(self.text(keyword), value);
        }
    }

    /// Binds the names an import statement introduces.
    fn bind_imports(&mut self, node: Node<'t>, frame: &mut Frame<'a>) {
        self.mark_sticky();
        for import in self.facts.imports_at(node) {
            let bound = import.bound_name().to_string();
            let target = import.target_path();
            if let Some(root) = target.split('.').next() {
                if self.resolver.ml_modules().iter().any(|m| m == root) {
                    self.imports_ml = true;
                }
                self.imported_roots.insert(root.to_string());
            }
            let local = self.import_value(&import);
            if bound == "*" {
                continue;
            }
            let Some(name) = find_in(self.src, &bound, import.node) else {
                continue;
            };
            let value = local.unwrap_or_else(|| Value {
                origin: Origin::Path {
                    path: target.as_str().into(),
                    rooted: !target.starts_with('.'),
                },
                ..Value::default()
            });
            frame.env.insert(name, value);
        }
    }

    /// Whether the object an attribute or key is read from looks like a person record.
    fn person_context(&self, object: Node<'t>, value: &Value, frame: &Frame<'a>) -> bool {
        self.base_name(object)
            .is_some_and(|b| frame.person_records.contains(b))
            || self.names_a_person(object, value)
    }

    /// Whether the object's own name or origin names a person (`patient`,
    /// `request.user`, a loaded customer table).
    fn names_a_person(&self, object: Node<'t>, value: &Value) -> bool {
        let text = self.text(object);
        let head = text.get(..text.len().min(160)).unwrap_or(text);
        if self.classifier.mentions_person(head) {
            return true;
        }
        match &value.origin {
            Origin::Path { path, .. } => {
                self.resolver.is_loaded_table(path) || self.classifier.mentions_person(path)
            }
            Origin::Instance(c) => self.classifier.mentions_person(&self.classes[*c].name),
            _ => false,
        }
    }

    fn eval_member(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let (Some(object), Some(property)) = (
            self.part(node, Part::Object),
            self.part(node, Part::Property),
        ) else {
            return self.eval_children(node, frame);
        };
        let object_value = self.eval(object, frame);
        let prop = self.text(property);
        let mut value = Value {
            origin: object_value.origin.extend(".", prop),
            ..Value::default()
        };
        if let Origin::Instance(class) = object_value.origin {
            self.field_reads.insert((class, prop.to_string()));
            self.touch_field(class, prop, false);
            if let Some(field) = self.fields.get(class).and_then(|f| f.get(prop)) {
                value.labels = field.labels.clone();
                if field.origin != Origin::Unknown {
                    value.origin = field.origin.clone();
                }
            } else if let Some(method) = self.classes[class].methods.get(prop) {
                value.origin = Origin::Function(*method);
            }
        }
        if let Origin::Ext(ext) = &object_value.origin
            && let Some(member) = self.ext_member(&ext.clone(), prop)
        {
            value.labels = member.labels;
            value.origin = member.origin;
        }
        if value.origin == Origin::Unknown && matches!(object_value.origin, Origin::Instance(_)) {
            value.origin = Origin::Path {
                path: format!("self.{prop}").into(),
                rooted: false,
            };
        }
        // Inside a method, `self.field` may be set by importers of the class.
        if (self.role(object) == Some(Role::SelfRef) || self.text(object) == "self")
            && let Some(Origin::Instance(_)) = self.lookup(frame, "self").map(|v| v.origin)
            && frame.function.is_some()
        {
            let field = self.field_id(prop);
            let step = self.step(NO_STEP, node, format!("field `{}`", self.text(node)));
            push_label(
                &mut value.labels,
                Label {
                    category: SYMBOLIC,
                    origin: LabelOrigin::Field(field),
                    step,
                },
            );
        }
        // Person context is costly to establish: only look when it matters.
        let class = self
            .classify_name(prop, false)
            .or_else(|| {
                self.classifier
                    .classify_name(prop, true)
                    .filter(|c| self.context_for(c.category, object, &object_value, frame))
            })
            .or_else(|| self.classify_compound(object, prop));
        if let Some(class) = class {
            self.mark_person_record(object, frame);
            let evidence = self.short_text(node);
            let label = self.source(node, class.category, evidence, None);
            value.labels.retain(|l| l.category == class.category);
            push_label(&mut value.labels, label);
        } else if value.labels.is_empty() {
            value.labels = object_value.labels;
        }
        value
    }

    /// Whether `category` may be read off `object` as a person's. An `id` is a
    /// person's only on an object that names a person (`user.id`), not on
    /// any record that merely holds personal fields (`ticket.id`).
    fn context_for(
        &self,
        category: &str,
        object: Node<'t>,
        value: &Value,
        frame: &Frame<'a>,
    ) -> bool {
        if category.starts_with(LOW_SIGNAL_PREFIX) {
            return self.names_a_person(object, value);
        }
        self.person_context(object, value, frame)
    }

    /// Whether some key is personal only on a person record (`name`, `age`).
    fn needs_context(&self, keys: &[String]) -> bool {
        keys.iter().any(|k| {
            self.classify_name(k, false).is_none() && self.classify_name(k, true).is_some()
        })
    }

    fn mark_person_record(&self, object: Node<'t>, frame: &mut Frame<'a>) {
        if let Some(base) = self.base_name(object) {
            frame.person_records.insert(base);
        }
    }

    /// What the object's name and a key say together (`email["body"]` is an
    /// e-mail body, `message.transcript` a transcript): strong terms only.
    fn classify_compound(&self, object: Node<'t>, key: &str) -> Option<classify::Classification> {
        if self.role(object) != Some(Role::Name) {
            return None;
        }
        let object = self.text(object);
        // Person objects (`user.preferences`) go through person context instead.
        if object.len() > 40 || key.len() > 40 || self.classifier.mentions_person(object) {
            return None;
        }
        self.classify_name(&format!("{object}_{key}"), false)
    }

    fn compound_key_labels(
        &mut self,
        object: Node<'t>,
        key_node: Node<'t>,
        keys: &[String],
    ) -> Vec<Label> {
        let mut labels = Vec::new();
        for key in keys {
            if let Some(class) = self.classify_compound(object, key) {
                let evidence = format!("{}[\"{key}\"]", self.text(object));
                let label = self.source(key_node, class.category, evidence, None);
                push_label(&mut labels, label);
            }
        }
        labels
    }

    /// Classifies string keys (`row["email"]`, `df[["age", "zip"]]`).
    fn key_labels(
        &mut self,
        key_node: Node<'t>,
        keys: &[String],
        context: bool,
        table: bool,
    ) -> Vec<Label> {
        let mut labels = Vec::new();
        for key in keys {
            if let Some(class) = self.classify_name(key, context || table) {
                let evidence = if table {
                    format!("\"{key}\" column")
                } else {
                    format!("\"{key}\" key")
                };
                let column = table.then(|| key.clone());
                let label = self.source(key_node, class.category, evidence, column);
                push_label(&mut labels, label);
            }
        }
        labels
    }

    fn eval_index(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let (Some(object), Some(key)) = (self.part(node, Part::Object), self.part(node, Part::Key))
        else {
            return self.eval_children(node, frame);
        };
        let object_value = self.eval(object, frame);
        let key_value = self.eval(key, frame);
        let origin = object_value.origin.extend("[]", "");
        let table = object_value
            .origin
            .path()
            .is_some_and(|(p, _)| self.resolver.is_loaded_table(p));
        let mut value = Value {
            origin,
            ..Value::default()
        };
        match &key_value.strings {
            Some(keys) => {
                let context = !table
                    && self.needs_context(keys)
                    && self.person_context(object, &object_value, frame);
                let mut labels = self.key_labels(key, keys, context, table);
                if labels.is_empty() && !table {
                    labels = self.compound_key_labels(object, key, keys);
                }
                if !labels.is_empty() && !table {
                    self.mark_person_record(object, frame);
                }
                if table {
                    // A column selection keeps what describes the whole file
                    // and the selected columns, and drops the other columns.
                    value.labels = labels;
                    for label in &object_value.labels {
                        let keep = match label.origin {
                            LabelOrigin::Source(s) => self.sources[s as usize]
                                .column
                                .as_ref()
                                .is_none_or(|c| keys.contains(c)),
                            LabelOrigin::Param(_) | LabelOrigin::Field(_) => true,
                        };
                        if keep {
                            push_label(&mut value.labels, *label);
                        }
                    }
                } else if !labels.is_empty() {
                    value.labels = labels;
                } else {
                    value.labels = object_value.labels;
                }
            }
            None => value.labels = object_value.labels,
        }
        value
    }

    fn eval_pair(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let (Some(key), Some(val)) = (self.part(node, Part::Key), self.part(node, Part::Value))
        else {
            return self.eval_children(node, frame);
        };
        let key_value = self.eval(key, frame);
        let mut value = self.eval(val, frame);
        if !value.constant
            && !value.sanitized
            && let Some(keys) = &key_value.strings
        {
            for label in self.key_labels(key, &keys.clone(), false, false) {
                if !value.has_category(label.category) {
                    push_label(&mut value.labels, label);
                }
            }
        }
        value.union(&key_value);
        value
    }

    fn eval_assign(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let target = self.part(node, Part::Target);
        // Without a `value` part the value is the first other child (`x as y`).
        let val = self.part(node, Part::Value).or_else(|| {
            named_children(node).into_iter().find(|c| {
                Some(c.id()) != target.map(|t| t.id()) && self.role(*c) != Some(Role::Comment)
            })
        });
        let (Some(target), Some(val)) = (target, val) else {
            return self.eval_children(node, frame);
        };
        // `a, b = x, y` binds pairwise when both sides have the same shape.
        if target.named_child_count() > 1 && self.role(target).is_none() && self.role(val).is_none()
        {
            let targets: Vec<Node<'t>> = named_children(target);
            let values: Vec<Node<'t>> = named_children(val);
            if targets.len() > 1 && targets.len() == values.len() {
                let mut all = Value::default();
                for (t, v) in targets.into_iter().zip(values) {
                    let value = self.eval(v, frame);
                    all.union(&value);
                    self.bind(t, value, frame);
                }
                return all;
            }
        }
        let value = self.eval(val, frame);
        if self.language.is_javascript_family()
            && frame.function.is_none()
            && self.role(val) == Some(Role::Dict)
            && self.text(target) == "module.exports"
        {
            self.export_commonjs_properties(val, frame);
        }
        self.bind(target, value.clone(), frame);
        value
    }

    fn eval_update(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let (Some(target), Some(val)) =
            (self.part(node, Part::Target), self.part(node, Part::Value))
        else {
            return self.eval_children(node, frame);
        };
        let mut value = self.eval(target, frame);
        let added = self.eval(val, frame);
        value.union(&added);
        value.strings = None;
        self.bind(target, value.clone(), frame);
        value
    }

    /// Binds an assignment target to a value: a variable, a field, a key or a pattern.
    fn bind(&mut self, target: Node<'t>, value: Value, frame: &mut Frame<'a>) {
        if self.depth >= MAX_DEPTH {
            self.depth_exceeded = true;
            return;
        }
        self.depth += 1;
        stacker::maybe_grow(STACK_RED_ZONE, STACK_GROWTH, || {
            self.bind_inner(target, value, frame)
        });
        self.depth -= 1;
    }

    fn bind_inner(&mut self, target: Node<'t>, value: Value, frame: &mut Frame<'a>) {
        match self.role(target) {
            Some(Role::Name) => {
                let name = self.text(target);
                let mut value = value;
                // `const summarize = async (notes) => …` names the function.
                if let Origin::Function(f) = value.origin
                    && self.functions[f].name.is_empty()
                {
                    self.functions[f].name = name.to_string();
                }
                if value.origin == Origin::Unknown {
                    // Locals keep a name-rooted path so that calls on them can
                    // still be recognised by their method names.
                    value.origin = Origin::Path {
                        path: name.into(),
                        rooted: false,
                    };
                }
                let mut value = self.advance(&value, target, || format!("assigned to `{name}`"));
                for category in self.declared_personal(target.start_byte()) {
                    if !value.has_category(category) {
                        let label =
                            self.source(target, category, format!("{name} (@personal-data)"), None);
                        push_label(&mut value.labels, label);
                    }
                }
                if !value.constant && !value.sanitized {
                    if let Some(class) = self.classify_name(name, false)
                        && !value.has_category(class.category)
                    {
                        let label = self.source(target, class.category, name.to_string(), None);
                        push_label(&mut value.labels, label);
                    }
                    if let Some((path, _)) = value.origin.path()
                        && self.resolver.is_loaded_table(path)
                    {
                        for label in self.table_columns(target, name, frame) {
                            push_label(&mut value.labels, label);
                        }
                    }
                }
                self.bind_name(frame, name, value);
            }
            Some(Role::Member) => {
                let (Some(object), Some(property)) = (
                    self.part(target, Part::Object),
                    self.part(target, Part::Property),
                ) else {
                    return;
                };
                let prop = self.text(property);
                let mut value = self.advance(&value, target, || format!("stored in `.{prop}`"));
                if !value.constant
                    && !value.sanitized
                    && let Some(class) = self.classify_name(prop, true)
                    && !value.has_category(class.category)
                {
                    let evidence = self.short_text(target);
                    let label = self.source(target, class.category, evidence, None);
                    push_label(&mut value.labels, label);
                }
                if self.role(object) == Some(Role::SelfRef) {
                    if let Some(Origin::Instance(class)) =
                        self.lookup(frame, "self").map(|v| v.origin)
                    {
                        self.store_field(class, prop, value);
                    }
                } else if self.language.is_javascript_family()
                    && frame.function.is_none()
                    && matches!(self.text(object), "module" | "exports" | "module.exports")
                {
                    // CommonJS exports: `module.exports = …` (the default
                    // export), `exports.ask = …`.
                    if self.text(object) == "module" {
                        if prop == "exports" {
                            frame.env.insert(self.text(target), value);
                        }
                    } else {
                        frame.env.insert(prop, value);
                    }
                } else if let Some(Origin::Ext(ExtOrigin::Instance(class))) = self
                    .base_name(object)
                    .and_then(|b| self.lookup(frame, b))
                    .map(|v| v.origin)
                {
                    self.store_ext_field(&class, prop, &value);
                } else if let Some(base) = self.base_name(object) {
                    let mut merged = self.lookup(frame, base).unwrap_or_default();
                    merged.union(&value);
                    frame.env.insert(base, merged);
                }
            }
            Some(Role::Index) => {
                let Some(object) = self.part(target, Part::Object) else {
                    return;
                };
                let key = self.part(target, Part::Key);
                let mut value = value;
                if let Some(key) = key {
                    let key_value = self.eval(key, frame);
                    if !value.constant
                        && !value.sanitized
                        && let Some(keys) = key_value.strings
                    {
                        for label in self.key_labels(key, &keys, true, false) {
                            if !value.has_category(label.category) {
                                push_label(&mut value.labels, label);
                            }
                        }
                    }
                }
                if self.role(object) == Some(Role::Member)
                    && let (Some(o), Some(p)) = (
                        self.part(object, Part::Object),
                        self.part(object, Part::Property),
                    )
                    && self.role(o) == Some(Role::SelfRef)
                {
                    if let Some(Origin::Instance(class)) =
                        self.lookup(frame, "self").map(|v| v.origin)
                    {
                        let prop = self.text(p);
                        self.store_field(class, prop, value);
                    }
                } else if let Some(base) = self.base_name(object) {
                    let mut merged = self.lookup(frame, base).unwrap_or_default();
                    let origin = merged.origin.clone();
                    merged.union(&value);
                    merged.origin = origin;
                    frame.env.insert(base, merged);
                }
            }
            Some(Role::Destructure) => self.bind_destructured(target, &value, frame),
            _ => {
                for child in named_children(target) {
                    self.bind(child, value.clone(), frame);
                }
            }
        }
    }

    /// `const { email, name: fullName } = user`: each name gets the property
    /// of the same key, as if read with `user.email`.
    fn bind_destructured(&mut self, target: Node<'t>, value: &Value, frame: &mut Frame<'a>) {
        let context = value
            .origin
            .path()
            .is_some_and(|(p, _)| self.classifier.mentions_person(p));
        for child in named_children(target) {
            let (key_node, bound) = match self.role(child) {
                Some(Role::Name) => (child, child),
                Some(Role::Pair) => {
                    match (self.part(child, Part::Key), self.part(child, Part::Value)) {
                        (Some(k), Some(v)) => (k, v),
                        _ => continue,
                    }
                }
                _ => {
                    // `...rest`, defaults: the rest of the object.
                    self.bind(child, value.clone(), frame);
                    continue;
                }
            };
            let key = string_content(self.text(key_node));
            let mut property = Value {
                origin: value.origin.extend(".", key),
                labels: value.labels.clone(),
                ..Value::default()
            };
            // `const { ask } = require("./helpers")`.
            if let Origin::Ext(ext) = &value.origin
                && let Some(member) = self.ext_member(&ext.clone(), key)
            {
                property = member;
            }
            if let Some(class) = self.classify_name(key, context) {
                property.labels.retain(|l| l.category == class.category);
                let label = self.source(key_node, class.category, key.to_string(), None);
                push_label(&mut property.labels, label);
            }
            self.bind(bound, property, frame);
        }
    }

    /// The properties of `module.exports = { ask, build: makePrompt }`
    /// become named exports.
    fn export_commonjs_properties(&mut self, object: Node<'t>, frame: &mut Frame<'a>) {
        for child in named_children(object) {
            match self.role(child) {
                Some(Role::Name) => {
                    let name = self.text(child);
                    let value = self.eval(child, frame);
                    frame.env.insert(name, value);
                }
                Some(Role::Pair) => {
                    if let (Some(key), Some(val)) =
                        (self.part(child, Part::Key), self.part(child, Part::Value))
                    {
                        let value = self.eval(val, frame);
                        frame.env.insert(string_content(self.text(key)), value);
                    }
                }
                _ => {}
            }
        }
    }

    /// The variable at the root of `a.b[c].d`.
    fn base_name(&self, node: Node<'t>) -> Option<&'a str> {
        let mut node = node;
        for _ in 0..32 {
            match self.role(node) {
                Some(Role::Name) => return Some(self.text(node)),
                Some(Role::Member) | Some(Role::Index) => node = self.part(node, Part::Object)?,
                _ => return None,
            }
        }
        None
    }

    fn store_field(&mut self, class: ClassId, prop: &str, value: Value) {
        self.touch_field(class, prop, true);
        if self.recording
            && let Some(unit) = self.current_unit
        {
            self.field_writes
                .push((unit, class, prop.to_string(), value.clone()));
        }
        let Some(fields) = self.fields.get_mut(class) else {
            return;
        };
        let entry = fields.entry(prop.to_string()).or_default();
        let before = (entry.labels.len(), entry.origin.clone());
        for label in value.labels.iter().filter(|l| !l.is_symbolic()) {
            push_label(&mut entry.labels, *label);
        }
        if entry.origin == Origin::Unknown && value.origin != Origin::Unknown {
            entry.origin = value.origin.clone();
        }
        // Readers earlier in this pass saw less: another pass is needed.
        if before != (entry.labels.len(), entry.origin.clone())
            && self.field_reads.contains(&(class, prop.to_string()))
        {
            self.changed = true;
        }
    }

    /// Notes that the current unit read (or wrote) a class field.
    fn touch_field(&mut self, class: ClassId, prop: &str, write: bool) {
        if self.recording || self.partial.is_some() {
            self.field_touches
                .insert((self.current_unit, class, prop.to_string(), write));
        }
    }

    /// The current unit changes state all later code reads.
    fn mark_sticky(&mut self) {
        if let Some(unit) = self.current_unit {
            self.sticky_units.insert(unit);
        }
    }

    /// Personal columns used on a loaded table anywhere in the current function.
    fn table_columns(&mut self, target: Node<'t>, name: &str, frame: &Frame<'a>) -> Vec<Label> {
        let scope = match frame.function {
            Some(f) => self.functions[f].node,
            None => {
                let mut root = target;
                while let Some(p) = root.parent() {
                    root = p;
                }
                root
            }
        };
        let (start, end) = (scope.start_byte(), scope.end_byte());
        let mut keys: Vec<(Node<'t>, String)> = Vec::new();
        for fact in self.facts.roles.values() {
            if fact.role != Role::Index {
                continue;
            }
            let (Some(object), Some(key)) = (fact.part(Part::Object), fact.part(Part::Key)) else {
                continue;
            };
            if object.start_byte() < start || object.end_byte() > end || self.text(object) != name {
                continue;
            }
            for lit in string_literals(key, self) {
                keys.push((key, lit));
            }
        }
        keys.sort_by_key(|(n, _)| n.start_byte());
        let mut labels = Vec::new();
        for (node, key) in keys {
            for label in self.key_labels(node, std::slice::from_ref(&key), true, true) {
                push_label(&mut labels, label);
            }
        }
        labels
    }

    fn eval_comprehension(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let children = named_children(node);
        for child in &children {
            if self.role(*child) == Some(Role::Loop) {
                self.eval_loop_header(*child, frame);
            }
        }
        let mut value = Value::default();
        for child in children {
            if self.role(child) != Some(Role::Loop) {
                let v = self.eval(child, frame);
                value.union(&v);
            }
        }
        value.constant = false;
        value
    }

    fn eval_loop_header(&mut self, node: Node<'t>, frame: &mut Frame<'a>) {
        if let (Some(target), Some(iter)) =
            (self.part(node, Part::Target), self.part(node, Part::Iter))
        {
            let mut value = self.eval(iter, frame);
            value.strings = None;
            value.constant = false;
            frame.conditional_depth += 1;
            self.bind(target, value, frame);
            frame.conditional_depth -= 1;
        }
    }

    fn eval_loop(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        self.eval_loop_header(node, frame);
        let target = self.part(node, Part::Target).map(|n| n.id());
        let iter = self.part(node, Part::Iter).map(|n| n.id());
        frame.conditional_depth += 1;
        for child in named_children(node) {
            if Some(child.id()) != target && Some(child.id()) != iter {
                self.eval(child, frame);
            }
        }
        frame.conditional_depth -= 1;
        Value::default()
    }

    // ------------------------------------------------------------ definitions

    fn eval_function_definition(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let id = self.register_function(node);
        let origin = Origin::Function(id);
        if let Some(name_node) = self.part(node, Part::Name) {
            let name = self.text(name_node);
            if !matches!(self.context, Context::Class(_)) {
                frame.env.insert(
                    name,
                    Value {
                        origin: origin.clone(),
                        ..Value::default()
                    },
                );
            }
        }
        Value {
            origin,
            ..Value::default()
        }
    }

    fn register_function(&mut self, node: Node<'t>) -> FnId {
        if let Some(id) = self.function_ids.get(&node.id()) {
            return *id;
        }
        let name = self
            .part(node, Part::Name)
            .map(|n| self.text(n).to_string())
            .unwrap_or_default();
        let params = self
            .part(node, Part::Params)
            .map(|p| {
                // `x => …`: the parameter list is the one name.
                let entries = if matches!(self.role(p), Some(Role::Name)) {
                    vec![p]
                } else {
                    named_children(p)
                };
                entries
                    .into_iter()
                    .filter_map(|c| {
                        let name = self.param_name(c)?;
                        let declared = self.part(c, Part::Type);
                        Some((self.text(name).to_string(), name, declared))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let (class, parent) = match self.context {
            Context::Module => (None, None),
            Context::Function(f) => (None, Some(f)),
            Context::Class(c) => (Some(c), None),
        };
        let id = self.functions.len();
        self.functions.push(FunctionInfo {
            node,
            name: name.clone(),
            params,
            body: self
                .part(node, Part::Body)
                .or_else(|| self.part(node, Part::Value)),
            expression_body: self.part(node, Part::Body).is_none(),
            class,
            parent,
        });
        self.summaries.push(Summary::default());
        self.analysed_in_pass.push(0);
        self.final_envs.push(None);
        self.function_ids.insert(node.id(), id);
        let unit = self.current_unit.unwrap_or(id);
        self.unit_of.push(unit);
        if unit == id
            && let Some(partial) = &mut self.partial
            && partial
                .spans
                .contains(&(node.start_byte(), node.end_byte()))
        {
            partial.active.insert(id);
        }
        for (index, statement) in self.tags.statements.iter().enumerate() {
            let function_level = matches!(
                self.tags.tags[index].kind,
                TagKind::Sanitizer { .. } | TagKind::AiSink { .. } | TagKind::PersonalData { .. }
            );
            if function_level
                && self.tag_owner[index].is_none()
                && statement.is_some_and(|(a, b)| a <= node.start_byte() && node.end_byte() <= b)
            {
                self.tag_owner[index] = Some(id);
            }
        }
        if let Some(c) = class {
            self.classes[c].methods.insert(name, id);
        }
        id
    }

    /// Classifies a name with the project's extra sources first.
    fn classify_name(&self, name: &str, person_context: bool) -> Option<classify::Classification> {
        self.project
            .classify(name)
            .or_else(|| self.classifier.classify_name(name, person_context))
    }

    /// Taxonomy keys named by the function's tags of one kind.
    fn function_tag_categories(
        &self,
        function: FnId,
        wanted: impl Fn(&TagKind) -> bool,
    ) -> Vec<&'static str> {
        let mut out = Vec::new();
        for (index, tag) in self.tags.tags.iter().enumerate() {
            if self.tag_owner[index] != Some(function) || !wanted(&tag.kind) {
                continue;
            }
            let words = match &tag.kind {
                TagKind::PersonalData { categories, .. } | TagKind::Sanitizer { categories } => {
                    categories
                }
                _ => continue,
            };
            out.extend(words.iter().filter_map(|w| taxonomy_key(&w.text)));
        }
        out
    }

    /// `Some(categories)` when the function is tagged `@sanitizer` (empty: all).
    fn sanitizer_categories(&self, function: FnId) -> Option<Vec<&'static str>> {
        let tagged = self.tags.tags.iter().enumerate().any(|(i, t)| {
            self.tag_owner[i] == Some(function) && matches!(t.kind, TagKind::Sanitizer { .. })
        });
        tagged.then(|| {
            self.function_tag_categories(function, |k| matches!(k, TagKind::Sanitizer { .. }))
        })
    }

    fn ai_sink_kind(&self, function: FnId) -> Option<SinkKind> {
        self.tags
            .tags
            .iter()
            .enumerate()
            .find_map(|(i, t)| match &t.kind {
                TagKind::AiSink { kind: Some(word) } if self.tag_owner[i] == Some(function) => {
                    SinkKind::parse(&word.text)
                }
                _ => None,
            })
    }

    /// Categories a `@personal-data` tag gives to what is defined at `byte`.
    fn declared_personal(&self, byte: usize) -> Vec<&'static str> {
        let Some(index) = self
            .tags
            .covering(byte, |k| matches!(k, TagKind::PersonalData { .. }))
        else {
            return Vec::new();
        };
        if self.tag_owner[index].is_some() {
            return Vec::new();
        }
        match &self.tags.tags[index].kind {
            TagKind::PersonalData { categories, .. } => categories
                .iter()
                .filter_map(|w| taxonomy_key(&w.text))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether a source lies in a statement marked `@not-personal-data`.
    fn marked_not_personal(&self, byte: usize) -> bool {
        self.tags
            .covering(byte, |k| matches!(k, TagKind::NotPersonalData))
            .is_some()
    }

    /// An instance of a declared type such as `Chroma` or `openai.OpenAI`.
    fn declared_origin(&self, type_node: Node<'t>, frame: &Frame<'a>) -> Option<Origin> {
        // TypeScript annotations include their colon (`: PineconeStore`).
        let text = self.text(type_node).trim_start_matches(':').trim();
        if text.is_empty()
            || !text
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '.')
        {
            return None;
        }
        let (head, rest) = text.split_once('.').map_or((text, ""), |(h, r)| (h, r));
        match self.lookup(frame, head)?.origin {
            Origin::Path { path, rooted: true } => {
                let full = if rest.is_empty() {
                    path.to_string()
                } else {
                    format!("{path}.{rest}")
                };
                Some(Origin::Path {
                    path: format!("{full}()").into(),
                    rooted: true,
                })
            }
            Origin::Class(c) => Some(Origin::Instance(c)),
            _ => None,
        }
    }

    /// The name node of one entry of a parameter list: a bare name, or a
    /// `@param` node's `name` part, or else its first name.
    fn param_name(&self, node: Node<'t>) -> Option<Node<'t>> {
        match self.role(node)? {
            Role::Name | Role::SelfRef => Some(node),
            Role::Param => self.part(node, Part::Name).or_else(|| {
                let mut queue = named_children(node);
                let mut seen = 0;
                while !queue.is_empty() && seen < 16 {
                    let child = queue.remove(0);
                    seen += 1;
                    if matches!(self.role(child), Some(Role::Name | Role::SelfRef)) {
                        return Some(child);
                    }
                    queue.extend(named_children(child));
                }
                None
            }),
            _ => None,
        }
    }

    fn eval_class_definition(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let id = match self.class_ids.get(&node.id()) {
            Some(id) => *id,
            None => {
                let name = self
                    .part(node, Part::Name)
                    .map(|n| self.text(n).to_string())
                    .unwrap_or_default();
                self.classes.push(ClassInfo {
                    name,
                    span: Span::of(&node),
                    methods: HashMap::default(),
                });
                self.fields.push(HashMap::default());
                self.class_ids.insert(node.id(), self.classes.len() - 1);
                self.classes.len() - 1
            }
        };
        if let Some(name_node) = self.part(node, Part::Name) {
            let name = self.text(name_node);
            frame.env.insert(
                name,
                Value {
                    origin: Origin::Class(id),
                    ..Value::default()
                },
            );
        }
        if let Some(body) = self.part(node, Part::Body) {
            let saved = std::mem::replace(&mut self.context, Context::Class(id));
            self.eval(body, frame);
            self.context = saved;
        }
        Value {
            origin: Origin::Class(id),
            ..Value::default()
        }
    }

    fn analyse_function(&mut self, id: FnId) {
        self.analysed_in_pass[id] = self.pass;
        let info = &self.functions[id];
        let Some(body) = info.body else { return };
        self.in_progress.push(id);
        let class = info.class;
        let params = info.params.clone();
        let expression_body = info.expression_body;
        let mut frame = Frame {
            function: Some(id),
            env: HashMap::default(),
            conditional_depth: 0,
            returned: Value::default(),
            summary: Summary::default(),
            person_records: HashSet::default(),
        };
        // `this` (or an unnamed receiver) in a method is its instance.
        if let Some(class) = class {
            frame.env.insert(
                "self",
                Value {
                    origin: Origin::Instance(class),
                    ..Value::default()
                },
            );
        }
        for (index, (name, node, declared)) in params.iter().enumerate() {
            let name_ref: &'a str = self.text(*node);
            if index == 0 && class.is_some() && (name == "self" || name == "cls") {
                let origin = if name == "self" {
                    Origin::Instance(class.unwrap_or_default())
                } else {
                    Origin::Class(class.unwrap_or_default())
                };
                frame.env.insert(
                    name_ref,
                    Value {
                        origin,
                        ..Value::default()
                    },
                );
                continue;
            }
            let step = self.step(NO_STEP, *node, format!("parameter `{name}`"));
            let mut value = Value::default();
            value.labels.push(Label {
                category: SYMBOLIC,
                origin: LabelOrigin::Param(index.min(u16::MAX as usize) as u16),
                step,
            });
            // A declared type can say what the parameter is (`entry: JournalEntry`).
            let type_class = declared.and_then(|t| {
                let text: String = self
                    .text(t)
                    .chars()
                    .map(|c| if c.is_alphanumeric() { c } else { ' ' })
                    .collect();
                self.classify_name(text.trim(), true)
            });
            if let Some(c) = type_class {
                let evidence = format!(
                    "{name}: {} (declared type)",
                    self.text(declared.unwrap_or(*node))
                        .trim_start_matches(':')
                        .trim()
                );
                let label = self.source(*node, c.category, evidence, None);
                value.labels.push(label);
            }
            if let Some(c) = self.classify_name(name, false) {
                let label = self.source(*node, c.category, format!("{name} (parameter)"), None);
                value.labels.push(label);
            }
            value.origin = declared
                .and_then(|t| self.declared_origin(t, &frame))
                .unwrap_or(Origin::Path {
                    path: name_ref.into(),
                    rooted: false,
                });
            frame.env.insert(name_ref, value);
        }
        let saved = std::mem::replace(&mut self.context, Context::Function(id));
        let saved_unit = self.current_unit.replace(self.unit_of[id]);
        let value = self.eval(body, &mut frame);
        self.current_unit = saved_unit;
        if expression_body {
            let value = self.advance(&value, body, || "returned".to_string());
            frame.returned.union(&value);
            if value.origin != Origin::Unknown {
                frame.returned.origin = value.origin;
            }
        }
        self.context = saved;

        let mut summary = frame.summary;
        for label in &frame.returned.labels {
            match label.origin {
                LabelOrigin::Param(p) if p < 64 => summary.returns_params |= 1 << p,
                LabelOrigin::Param(_) | LabelOrigin::Field(_) => {}
                LabelOrigin::Source(_) => push_label(&mut summary.returns, *label),
            }
        }
        summary.return_origin = frame.returned.origin.clone();
        // `@personal-data` above a function: what it returns is personal.
        let name_node = self
            .part(self.functions[id].node, Part::Name)
            .unwrap_or(self.functions[id].node);
        for category in
            self.function_tag_categories(id, |k| matches!(k, TagKind::PersonalData { .. }))
        {
            let label = self.source(name_node, category, "@personal-data tag".to_string(), None);
            push_label(&mut summary.returns, label);
        }
        // Callers that ran before this analysis used the old summary.
        if self.read_before_analysis.contains(&id)
            && summary.fingerprint() != self.summaries[id].fingerprint()
        {
            self.changed = true;
        }
        self.in_progress.pop();
        self.summaries[id] = summary;
        self.final_envs[id] = Some(frame.env);
    }

    // ------------------------------------------------------------ calls

    fn eval_call(&mut self, node: Node<'t>, frame: &mut Frame<'a>) -> Value {
        let Some(callee) = self.part(node, Part::Callee) else {
            return self.eval_children(node, frame);
        };
        // The receiver of a method call, evaluated once.
        let (receiver, receiver_node, method) = if self.role(callee) == Some(Role::Member) {
            match (
                self.part(callee, Part::Object),
                self.part(callee, Part::Property),
            ) {
                (Some(object), Some(property)) => {
                    let value = self.eval(object, frame);
                    (Some(value), Some(object), Some(self.text(property)))
                }
                _ => (None, None, None),
            }
        } else {
            (None, None, None)
        };
        let callee_value = match (&receiver, method) {
            (Some(recv), Some(m)) => {
                let mut v = Value {
                    origin: recv.origin.extend(".", m),
                    ..Value::default()
                };
                if let Origin::Ext(ext) = &recv.origin
                    && let Some(member) = self.ext_member(&ext.clone(), m)
                {
                    v.origin = member.origin;
                    v.labels = member.labels;
                }
                if let Origin::Instance(class) = recv.origin {
                    if let Some(f) = self.classes[class].methods.get(m) {
                        v.origin = Origin::Function(*f);
                    } else if let Some(field) = {
                        self.field_reads.insert((class, m.to_string()));
                        self.touch_field(class, m, false);
                        self.fields.get(class).and_then(|f| f.get(m))
                    } && field.origin != Origin::Unknown
                    {
                        v.origin = field.origin.clone();
                    }
                }
                v
            }
            _ => self.eval(callee, frame),
        };
        let args = self.eval_arguments(node, frame);

        match callee_value.origin.clone() {
            Origin::Ext(ExtOrigin::Function(f)) => {
                if let Some(kind) = f.ai_sink {
                    let entry = in_house_sink(&f.name, kind);
                    let origin = callee_value.origin.clone();
                    return self.eval_sink_call(node, entry, origin, receiver, args, frame);
                }
                self.apply_ext_summary(node, &f.0, receiver.as_ref(), &args, frame)
            }
            Origin::Ext(ExtOrigin::Class(c)) => {
                let mut value = Value {
                    origin: Origin::Ext(ExtOrigin::Instance(c.clone())),
                    ..Value::default()
                };
                let constructor = ["__init__", "constructor"]
                    .iter()
                    .find_map(|name| c.methods.get(*name).cloned());
                if let Some(init) = constructor {
                    // The new instance is the receiver of its constructor.
                    let instance = value.clone();
                    self.apply_ext_summary(node, &init, Some(&instance), &args, frame);
                }
                for arg in args.all() {
                    value.union(arg);
                }
                value.constant = false;
                value
            }
            Origin::Function(f) => {
                if let Some(kind) = self.ai_sink_kind(f) {
                    let entry = in_house_sink(&self.functions[f].name, kind);
                    let origin = callee_value.origin.clone();
                    return self.eval_sink_call(node, entry, origin, receiver, args, frame);
                }
                let shift = usize::from(self.functions[f].takes_self() && receiver.is_some());
                self.apply_summary(node, f, shift, &args, frame)
            }
            Origin::Class(c) => {
                let mut value = Value {
                    origin: Origin::Instance(c),
                    ..Value::default()
                };
                let constructor = ["__init__", "constructor"]
                    .iter()
                    .find_map(|name| self.classes[c].methods.get(*name).copied());
                if let Some(init) = constructor {
                    let shift = usize::from(self.functions[init].takes_self());
                    self.apply_summary(node, init, shift, &args, frame);
                }
                for arg in args.all() {
                    value.union(arg);
                }
                value.constant = false;
                value
            }
            origin => {
                let path = origin.path().map(|(p, rooted)| (p.to_string(), rooted));
                let direct = receiver.is_none();
                let mut value = self.eval_external_call(
                    node,
                    path,
                    receiver,
                    receiver_node,
                    method,
                    args,
                    frame,
                );
                // Calling a lambda or closure returns what its body computed.
                if direct && !value.sanitized && !callee_value.labels.is_empty() {
                    value.union(&callee_value);
                }
                value
            }
        }
    }

    fn eval_arguments(&mut self, call: Node<'t>, frame: &mut Frame<'a>) -> Arguments<'a, 't> {
        let mut args = Arguments::default();
        let Some(list) = self.part(call, Part::Args) else {
            return args;
        };
        if self.role(list).is_some() {
            // `f(x for x in xs)` and template-literal calls: one argument.
            let v = self.eval(list, frame);
            args.positional.push((list, v));
            return args;
        }
        for child in named_children(list) {
            match self.role(child) {
                Some(Role::Comment) => {}
                Some(Role::KeywordArg) => {
                    let name = self
                        .part(child, Part::Name)
                        .map(|n| self.text(n))
                        .unwrap_or("");
                    let value_node = self.part(child, Part::Value).unwrap_or(child);
                    let mut value = self.eval(value_node, frame);
                    // `prompt.format(email=addr)`: the keyword names the data.
                    if !value.constant
                        && !value.sanitized
                        && let Some(class) = self.classify_name(name, false)
                        && !value.has_category(class.category)
                    {
                        let label =
                            self.source(child, class.category, format!("{name}= argument"), None);
                        push_label(&mut value.labels, label);
                    }
                    args.keyword.push((name, value_node, value));
                }
                Some(Role::Spread) => {
                    let v = self.eval(child, frame);
                    args.spread.push(v);
                }
                _ => {
                    let v = self.eval(child, frame);
                    args.positional.push((child, v));
                }
            }
        }
        args
    }

    /// The personal data a function returns by itself, analysing it first
    /// when that can be done now.
    fn function_returns(&mut self, function: FnId) -> Vec<Label> {
        self.activate(function);
        if self.analysed_in_pass[function] != self.pass {
            if self.module_done
                && !self.in_progress.contains(&function)
                && self.depth < MAX_DEPTH / 2
            {
                self.analyse_function(function);
            } else {
                self.read_before_analysis.insert(function);
            }
        }
        self.summaries[function].returns.clone()
    }

    fn apply_summary(
        &mut self,
        call: Node<'t>,
        function: FnId,
        shift: usize,
        args: &Arguments<'a, 't>,
        frame: &mut Frame<'a>,
    ) -> Value {
        if let Some(cleaned) = self.sanitizer_categories(function) {
            return sanitized_result(&cleaned, args);
        }
        self.activate(function);
        if self.analysed_in_pass[function] != self.pass {
            // Callees are analysed on demand once module-level names are
            // known, so that most files need a single pass; recursion and
            // module-level calls fall back to another pass.
            if self.module_done
                && !self.in_progress.contains(&function)
                && self.depth < MAX_DEPTH / 2
            {
                self.analyse_function(function);
            } else {
                self.read_before_analysis.insert(function);
            }
        }
        let summary = self.summaries[function].clone();
        let name = self.functions[function].name.clone();
        let params: Vec<String> = self.functions[function]
            .params
            .iter()
            .map(|(n, _, _)| n.clone())
            .collect();
        // The value flowing into each parameter.
        let inputs = param_inputs(&params, shift, args);
        let mut result = Value {
            origin: summary.return_origin.clone(),
            ..Value::default()
        };
        for label in &summary.returns {
            push_label(&mut result.labels, *label);
        }
        if !summary.returns.is_empty() {
            result = self.advance(&result, call, || format!("returned by `{name}()`"));
        }
        for (i, input) in inputs.iter().enumerate() {
            if i < 64 && summary.returns_params & (1 << i) != 0 {
                let through = self.advance(input, call, || format!("passed through `{name}()`"));
                result.union(&through);
            }
        }
        for (param, sink, callee_step) in &summary.param_sinks {
            let Some(input) = inputs.get(*param as usize) else {
                continue;
            };
            if input.labels.is_empty() {
                continue;
            }
            let arrived = self.advance(input, call, || format!("passed to `{name}()`"));
            let spliced: Vec<Label> = arrived
                .labels
                .iter()
                .map(|l| Label {
                    step: self.splice(l.step, *callee_step),
                    ..*l
                })
                .collect();
            self.record(frame, *sink, FindingKind::Flow, &spliced);
        }
        result.constant = false;
        result
    }

    /// Appends the callee's step chain (ending at `callee_step`) after `caller_step`.
    fn splice(&mut self, caller_step: u32, callee_step: u32) -> u32 {
        let mut chain = Vec::new();
        let mut s = callee_step;
        while s != NO_STEP && chain.len() < MAX_PATH_STEPS {
            chain.push(s);
            s = self.steps[s as usize].prev;
        }
        let mut prev = caller_step;
        for s in chain.into_iter().rev() {
            let (span, note, file) = (
                self.steps[s as usize].span,
                self.steps[s as usize].note.clone(),
                self.steps[s as usize].file.clone(),
            );
            let depth = self.depth_of(prev).saturating_add(1);
            self.steps.push(Step {
                prev,
                file,
                span,
                note,
                depth,
            });
            prev = (self.steps.len() - 1) as u32;
        }
        prev
    }

    /// Records labels reaching a sink: concrete ones become findings,
    /// symbolic ones become the current function's parameter→sink summary.
    fn record(&mut self, frame: &mut Frame<'a>, sink: usize, kind: FindingKind, labels: &[Label]) {
        for label in labels {
            match label.origin {
                LabelOrigin::Param(p) => {
                    if kind == FindingKind::Flow && frame.function.is_some() {
                        note_symbolic_sink(&mut frame.summary.param_sinks, p, sink, label.step);
                    }
                }
                LabelOrigin::Field(f) => {
                    if kind == FindingKind::Flow && frame.function.is_some() {
                        note_symbolic_sink(&mut frame.summary.field_sinks, f, sink, label.step);
                    }
                }
                LabelOrigin::Source(_) => {
                    let entry = self.findings.entry((sink, kind)).or_default();
                    push_label(entry, *label);
                    let units = self.contributors.entry(sink).or_default();
                    if !units.contains(&self.current_unit) {
                        units.push(self.current_unit);
                    }
                }
            }
        }
    }

    fn sink_site(&mut self, call: Node<'t>, entry: Cow<'static, SinkEntry>) -> usize {
        if let Some(id) = self.sink_ids.get(&call.id()) {
            return *id;
        }
        self.sink_sites.push(SinkSite {
            span: Span::of(&call),
            entry,
            ext: None,
        });
        let id = self.sink_sites.len() - 1;
        self.sink_ids.insert(call.id(), id);
        id
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_external_call(
        &mut self,
        call: Node<'t>,
        path: Option<(String, bool)>,
        receiver: Option<Value>,
        receiver_node: Option<Node<'t>>,
        method: Option<&'a str>,
        args: Arguments<'a, 't>,
        frame: &mut Frame<'a>,
    ) -> Value {
        let called_origin = match &path {
            Some((p, rooted)) => Origin::Path {
                path: format!("{p}()").into(),
                rooted: *rooted,
            },
            None => Origin::Unknown,
        };
        // `require("openai")` and `import("openai")` load a module.
        if let Some((p, true)) = &path
            && matches!(p.as_str(), "require" | "import")
            && let Some(module) = args
                .positional
                .first()
                .and_then(|(_, v)| v.strings.as_ref()?.first().cloned())
        {
            self.mark_sticky();
            if let Some(local) = self.provider.module(&module) {
                return self.module_value(local, &module);
            }
            if let Some(root) = module.split('.').next() {
                if self.resolver.ml_modules().iter().any(|m| m == root) {
                    self.imports_ml = true;
                }
                self.imported_roots.insert(root.to_string());
            }
            return Value {
                origin: Origin::Path {
                    path: module.as_str().into(),
                    rooted: !module.starts_with('.'),
                },
                ..Value::default()
            };
        }
        if let Some((p, rooted)) = &path {
            if let Some(entry) = self.project.sink(p) {
                return self.eval_sink_call(
                    call,
                    Cow::Owned(entry),
                    called_origin,
                    receiver,
                    args,
                    frame,
                );
            }
            if self.project.is_sanitizer(p) {
                return Value {
                    origin: called_origin,
                    sanitized: true,
                    ..Value::default()
                };
            }
            let entry = if *rooted { self.resolver.sink(p) } else { None }
                .or_else(|| {
                    // A client we could not resolve (a parameter, a field, an import
                    // from a local module) whose method names a sink of an SDK the
                    // file imports. Paths rooted in that SDK itself were matched
                    // exactly above and are not guessed at.
                    let roots = &self.imported_roots;
                    let own_root = p.split(['.', '(']).next().unwrap_or("");
                    self.resolver
                        .sink_by_suffix(p, |r| r != own_root && roots.contains(r))
                })
                .or_else(|| self.heuristic_sink(p, receiver_node, method, *rooted));
            if let Some(entry) = entry {
                return self.eval_sink_call(
                    call,
                    Cow::Borrowed(entry),
                    called_origin,
                    receiver,
                    args,
                    frame,
                );
            }
            if *rooted {
                if let Some(sanitizer) = self.resolver.sanitizer(p) {
                    let mut value = Value {
                        origin: called_origin,
                        sanitized: true,
                        ..Value::default()
                    };
                    if !sanitizer.categories.is_empty() {
                        for arg in args.all().chain(receiver.iter()) {
                            // Parameter placeholders are taken as cleaned: a
                            // helper that hashes its argument is a sanitizer.
                            for label in arg.labels.iter().filter(|l| !l.is_symbolic()) {
                                if !sanitizer
                                    .categories
                                    .iter()
                                    .any(|c| crate::knowledge::key_has_prefix(label.category, c))
                                {
                                    push_label(&mut value.labels, *label);
                                }
                            }
                        }
                        value.sanitized = value.labels.is_empty();
                    }
                    return value;
                }
                if self.resolver.is_opaque(p) {
                    return Value::default();
                }
            }
        }

        // A data file named for what it holds (`patients.csv`, `heart.csv`).
        let file_labels = match &called_origin {
            Origin::Path { path, .. } if self.resolver.is_loaded_table(path) => {
                self.data_file_labels(&args)
            }
            _ => Vec::new(),
        };
        // An unknown call: its result carries what went in.
        let mut value = Value {
            origin: called_origin,
            ..Value::default()
        };
        if let Some(recv) = &receiver {
            value.labels = recv.labels.clone();
            value.sanitized = recv.sanitized && args.all().all(|a| a.labels.is_empty());
        }
        // `row.get("email")` reads a key.
        if method == Some("get")
            && let (Some((key_node, key)), Some(recv_node)) =
                (args.positional.first(), receiver_node)
            && let Some(keys) = &key.strings
        {
            let recv = receiver.clone().unwrap_or_default();
            let context = self.needs_context(keys) && self.person_context(recv_node, &recv, frame);
            let labels = self.key_labels(*key_node, &keys.clone(), context, false);
            if !labels.is_empty() {
                self.mark_person_record(recv_node, frame);
                value.labels = labels;
                value.sanitized = false;
                return value;
            }
        }
        // `df.drop(columns=[…])` removes those columns from the table.
        if method == Some("drop")
            && let Some(recv) = &receiver
        {
            let named = args
                .keyword
                .iter()
                .filter(|(k, _, _)| *k == "columns" || *k == "labels")
                .map(|(_, _, v)| v);
            let dropped: Vec<String> = named
                .chain(args.positional.first().map(|(_, v)| v))
                .filter_map(|v| v.strings.as_deref())
                .flatten()
                .cloned()
                .collect();
            value.labels = recv
                .labels
                .iter()
                .filter(|l| match l.origin {
                    LabelOrigin::Source(s) => self.sources[s as usize]
                        .column
                        .as_ref()
                        .is_none_or(|c| !dropped.contains(c)),
                    LabelOrigin::Param(_) | LabelOrigin::Field(_) => true,
                })
                .copied()
                .collect();
            return value;
        }
        for arg in args.all() {
            value.union(arg);
        }
        // `users.map(u => u.email)`: what the callback returns is in the result.
        let callbacks: Vec<FnId> = args
            .all()
            .filter_map(|a| match a.origin {
                Origin::Function(f) => Some(f),
                _ => None,
            })
            .collect();
        for f in callbacks {
            for label in self.function_returns(f) {
                push_label(&mut value.labels, label);
            }
        }
        for label in file_labels {
            push_label(&mut value.labels, label);
        }
        value.constant = false;
        // `texts.append(note)`: the container now holds the data.
        if let (Some(m), Some(recv_node)) = (method, receiver_node)
            && MUTATORS.contains(&m)
        {
            let mut added = Value::default();
            for arg in args.all() {
                added.union(arg);
            }
            if !added.labels.is_empty() {
                self.bind_mutation(recv_node, added, frame);
            }
        }
        value
    }

    /// Categories named by the files a data loader reads.
    fn data_file_labels(&mut self, args: &Arguments<'a, 't>) -> Vec<Label> {
        let mut labels = Vec::new();
        let nodes = args
            .positional
            .iter()
            .map(|(n, v)| (*n, v))
            .chain(args.keyword.iter().map(|(_, n, v)| (*n, v)));
        let files: Vec<(Node<'t>, String)> = nodes
            .filter_map(|(n, v)| v.strings.as_ref().map(|s| (n, s.clone())))
            .flat_map(|(n, s)| s.iter().map(move |f| (n, f.clone())).collect::<Vec<_>>())
            .filter(|(_, f)| f.contains('.') || f.contains('/'))
            .collect();
        // Columns named to the loader (`usecols=[…]`, `names=[…]`).
        let column_args: Vec<(Node<'t>, Rc<Vec<String>>)> = args
            .keyword
            .iter()
            .filter(|(k, _, _)| matches!(*k, "usecols" | "columns" | "names" | "fieldnames"))
            .filter_map(|(_, n, v)| v.strings.clone().map(|s| (*n, s)))
            .collect();
        for (node, columns) in column_args {
            for label in self.key_labels(node, &columns, true, true) {
                push_label(&mut labels, label);
            }
        }
        for (node, file) in files {
            let name = file.rsplit(['/', '\\']).next().unwrap_or(&file);
            let stem = name.split('.').next().unwrap_or(name);
            if let Some(class) = self.classify_name(stem, true) {
                let label =
                    self.source(node, class.category, format!("\"{name}\" data file"), None);
                push_label(&mut labels, label);
            }
        }
        labels
    }

    fn bind_mutation(&mut self, recv_node: Node<'t>, added: Value, frame: &mut Frame<'a>) {
        if self.role(recv_node) == Some(Role::Member)
            && let (Some(o), Some(p)) = (
                self.part(recv_node, Part::Object),
                self.part(recv_node, Part::Property),
            )
            && self.role(o) == Some(Role::SelfRef)
        {
            if let Some(Origin::Instance(class)) = self.lookup(frame, "self").map(|v| v.origin) {
                let prop = self.text(p);
                self.store_field(class, prop, added);
            }
            return;
        }
        if let Some(base) = self.base_name(recv_node) {
            let mut merged = self.lookup(frame, base).unwrap_or_default();
            let origin = merged.origin.clone();
            merged.union(&added);
            merged.origin = origin;
            merged.strings = None;
            frame.env.insert(base, merged);
        }
    }

    /// `model.fit(X, y)` on a receiver we could not resolve, in a file that
    /// imports an ML library and on a receiver named like a model.
    fn heuristic_sink(
        &self,
        path: &str,
        receiver: Option<Node<'t>>,
        method: Option<&str>,
        rooted: bool,
    ) -> Option<&'static SinkEntry> {
        if !self.imports_ml {
            return None;
        }
        // A model built by an ML library the catalogue does not list
        // (`implicit.als.AlternatingLeastSquares().fit`).
        let root = path.split(['.', '(']).next().unwrap_or("");
        let ml_rooted = rooted && self.resolver.ml_modules().iter().any(|m| m == root);
        if rooted && !ml_rooted {
            return None;
        }
        let (receiver, method) = (receiver?, method?);
        let entry = match method {
            "fit" | "partial_fit" | "fit_generator" | "train_on_batch" => &*HEURISTIC_FIT,
            "predict" | "predict_proba" => &*HEURISTIC_PREDICT,
            _ => return None,
        };
        if ml_rooted {
            return Some(entry);
        }
        let name = self.text(receiver);
        let looks_like_model = classify::tokens(name)
            .iter()
            .any(|t| MODEL_WORDS.contains(&t.as_str()));
        looks_like_model.then_some(entry)
    }

    fn eval_sink_call(
        &mut self,
        call: Node<'t>,
        entry: Cow<'static, SinkEntry>,
        origin: Origin,
        receiver: Option<Value>,
        args: Arguments<'a, 't>,
        frame: &mut Frame<'a>,
    ) -> Value {
        let site = self.sink_site(call, entry.clone());
        let identifier_roots: Vec<&str> = entry
            .identifiers
            .iter()
            .map(|i| i.split('.').next().unwrap_or(i))
            .collect();
        let wants = |name: &str| entry.data.is_empty() || entry.data.iter().any(|d| d == name);
        // An options object (`create({model, messages})`) names its
        // arguments like keywords do.
        let mut keyword = args.keyword.clone();
        let mut expanded = Vec::new();
        for (i, (node, _)) in args.positional.iter().enumerate() {
            if self.role(*node) == Some(Role::Dict) && !wants(&format!("${i}")) {
                expanded.push(i);
                keyword.extend(self.object_properties(*node, frame));
            }
        }
        // An options object held in a variable (`create(params)`) cannot be
        // looked into by name: all of it counts.
        let opaque_options = self.language.is_javascript_family() && args.keyword.is_empty();
        let mut data = Value::default();
        for (i, (_, v)) in args.positional.iter().enumerate() {
            let whole = wants(&format!("${i}")) || (opaque_options && !v.constant);
            if !expanded.contains(&i) && whole {
                data.union(v);
            }
        }
        for (name, _, v) in &keyword {
            if !identifier_roots.contains(name) && wants(name) {
                data.union(v);
            }
        }
        for v in &args.spread {
            data.union(v);
        }
        if entry.data.iter().any(|d| d == "$receiver")
            && let Some(recv) = &receiver
        {
            data.union(recv);
        }
        let data = self.advance(&data, call, || format!("sent to `{}`", entry.api));
        self.record(frame, site, FindingKind::Flow, &data.labels);

        // Identifier fields must hold opaque ids.
        for identifier in &entry.identifiers {
            let mut parts = identifier.split('.');
            let root = parts.next().unwrap_or("");
            let key = parts.next();
            for (name, value_node, value) in &keyword {
                if *name != root {
                    continue;
                }
                let value = match key {
                    None => value.clone(),
                    Some(key) => match self.dict_entry(*value_node, key) {
                        Some(node) => self.eval(node, frame),
                        None => continue,
                    },
                };
                let labels: Vec<Label> = value
                    .labels
                    .iter()
                    .filter(|l| !l.category.starts_with(LOW_SIGNAL_PREFIX))
                    .copied()
                    .collect();
                self.record(frame, site, FindingKind::Identifier, &labels);
            }
        }
        let mut value = Value {
            origin,
            ..Value::default()
        };
        // Trainers and data loaders hold the data they were given; an
        // uploaded file still is that data, and an embedding can be inverted
        // back into its text (Morris et al. 2023), so theirs flows on too.
        if matches!(
            entry.kind,
            SinkKind::Training
                | SinkKind::FineTuning
                | SinkKind::DatasetUpload
                | SinkKind::Embedding
                | SinkKind::VectorStore
        ) {
            value.labels = data.labels;
        }
        value
    }

    /// The properties of an object literal as (name, value node, value).
    fn object_properties(
        &mut self,
        object: Node<'t>,
        frame: &mut Frame<'a>,
    ) -> Vec<(&'a str, Node<'t>, Value)> {
        let mut out = Vec::new();
        for child in named_children(object) {
            match self.role(child) {
                Some(Role::Pair) => {
                    let (Some(key), Some(value)) =
                        (self.part(child, Part::Key), self.part(child, Part::Value))
                    else {
                        continue;
                    };
                    let name = string_content(self.text(key));
                    let v = self.eval(value, frame);
                    out.push((name, value, v));
                }
                // `{ messages }`: the property is the variable of that name.
                Some(Role::Name) => {
                    let v = self.eval(child, frame);
                    out.push((self.text(child), child, v));
                }
                Some(Role::Spread) => {
                    let v = self.eval(child, frame);
                    out.push(("", child, v));
                }
                _ => {}
            }
        }
        out
    }

    /// The value node stored under `key` in a dict literal.
    fn dict_entry(&self, dict: Node<'t>, key: &str) -> Option<Node<'t>> {
        if self.role(dict) != Some(Role::Dict) {
            return None;
        }
        named_children(dict).into_iter().find_map(|pair| {
            let k = self.part(pair, Part::Key)?;
            (string_content(self.text(k)) == key).then(|| self.part(pair, Part::Value))?
        })
    }

    // ------------------------------------------------------------ results

    fn into_analysis(self) -> FileAnalysis {
        let mut analysis = FileAnalysis::default();
        if self.timed_out {
            analysis.notes.push(AnalysisNote {
                message:
                    "analysis stopped at the time limit; findings for this file may be incomplete"
                        .into(),
            });
        }
        if self.depth_exceeded {
            analysis.notes.push(AnalysisNote {
                message: format!(
                    "expressions nested deeper than {MAX_DEPTH} levels were not followed"
                ),
            });
        }
        for site in self.sink_sites.iter().filter(|s| s.ext.is_none()) {
            analysis.recognised_sinks.push(RecognisedSink {
                span: site.span,
                sink: sink_of(&site.entry),
            });
        }
        let mut keys: Vec<_> = self.findings.keys().copied().collect();
        keys.sort_by_key(|(site, kind)| {
            (
                self.sink_sites[*site].span.start_byte,
                *kind == FindingKind::Identifier,
            )
        });
        for key in keys {
            let labels = &self.findings[&key];
            if let Some(finding) = self.finding(key.0, key.1, labels) {
                let extra = self.quasi_identifier_finding(&finding);
                match &self.sink_sites[key.0].ext {
                    Some(ext) => {
                        for finding in std::iter::once(finding).chain(extra) {
                            let finding = self.relocate(finding, &ext.file);
                            analysis.elsewhere.push((ext.file.to_path_buf(), finding));
                        }
                    }
                    None => analysis
                        .findings
                        .extend(std::iter::once(finding).chain(extra)),
                }
            }
        }
        self.tag_findings(&mut analysis.findings);
        analysis.findings.sort_by_key(|f| f.span.start_byte);
        analysis
    }

    /// PL120: three or more kinds of quasi-identifier in one flow into
    /// training or an upload (postal code, date of birth, gender, …).
    fn quasi_identifier_finding(&self, flow: &Finding) -> Option<Finding> {
        let sink = flow.sink.as_ref()?;
        if !matches!(
            sink.kind,
            SinkKind::Training | SinkKind::FineTuning | SinkKind::DatasetUpload
        ) || flow.status == Status::Declared
            && flow.tag.as_ref().is_some_and(|t| {
                t.safeguards.iter().any(|s| {
                    matches!(
                        s.as_str(),
                        "generalized" | "k_anonymity" | "aggregated" | "differential_privacy"
                    )
                })
            })
        {
            return None;
        }
        let quasi: Vec<String> = flow
            .categories
            .iter()
            .filter(|c| self.classifier.is_quasi_identifier(c))
            .cloned()
            .collect();
        let groups = self.classifier.quasi_identifier_groups(&quasi);
        if groups < 3 {
            return None;
        }
        let rule = &rules::QUASI_IDENTIFIERS_IN_TRAINING;
        Some(Finding {
            code: rule.code,
            rule: rule.name,
            severity: rule.default_severity,
            message: format!(
                "{}: {} together can single people out (re-identification) in `{}`",
                rule.summary,
                quasi.join(", "),
                sink.api
            ),
            span: flow.span,
            sink: flow.sink.clone(),
            categories: quasi.clone(),
            sources: flow
                .sources
                .iter()
                .filter(|s| quasi.contains(&s.category))
                .cloned()
                .collect(),
            flow: flow.flow.clone(),
            tag: flow.tag.clone(),
            status: flow.status,
            fixes: Vec::new(),
        })
    }

    /// Problems with the tags themselves: unknown keys, malformed tags,
    /// special categories without a basis, `@data-use` with no AI call.
    fn tag_findings(&self, out: &mut Vec<Finding>) {
        for (index, tag) in self.tags.tags.iter().enumerate() {
            let mut problems = tags::validate(tag);
            if matches!(tag.kind, TagKind::DataUse { .. }) {
                let other_sinks = self.partial.as_ref().map_or(&[][..], |p| &p.other_sinks);
                let has_sink = self.tags.statements[index].is_some_and(|(a, b)| {
                    self.sink_sites
                        .iter()
                        .filter(|site| site.ext.is_none())
                        .map(|site| site.span.start_byte)
                        .chain(other_sinks.iter().copied())
                        .any(|start| a <= start && start < b)
                });
                if !has_sink {
                    problems.push(tags::TagProblem {
                        rule: &rules::ORPHANED_TAG,
                        start: tag.start,
                        end: tag.end,
                        message: "no AI call on the statement under this `@data-use` tag".into(),
                        suggestions: Vec::new(),
                    });
                }
            }
            for problem in problems {
                let span = tags::replace(self.src, problem.start, problem.end, String::new()).span;
                let fixes = problem
                    .suggestions
                    .iter()
                    .enumerate()
                    .map(|(i, suggestion)| Fix {
                        title: format!("Replace with `{suggestion}`"),
                        kind: FixKind::ReplaceKey,
                        preferred: i == 0,
                        edits: vec![tags::replace(
                            self.src,
                            problem.start,
                            problem.end,
                            suggestion.clone(),
                        )],
                    })
                    .collect();
                out.push(Finding {
                    code: problem.rule.code,
                    rule: problem.rule.name,
                    severity: problem.rule.default_severity,
                    message: problem.message,
                    span,
                    sink: None,
                    categories: Vec::new(),
                    sources: Vec::new(),
                    flow: Vec::new(),
                    tag: tag.data_use(self.tags.comments[index]),
                    status: Status::Undeclared,
                    fixes,
                });
            }
        }
    }

    fn finding(&self, site: usize, kind: FindingKind, labels: &[Label]) -> Option<Finding> {
        // Sources inside statements marked `@not-personal-data` do not count.
        let labels: Vec<Label> = labels
            .iter()
            .filter(|l| match l.origin {
                LabelOrigin::Source(s) => {
                    let source = &self.sources[s as usize];
                    source.file.is_some() || !self.marked_not_personal(source.span.start_byte)
                }
                LabelOrigin::Param(_) | LabelOrigin::Field(_) => false,
            })
            .copied()
            .collect();
        let labels = labels.as_slice();
        let mut categories: Vec<String> = labels.iter().map(|l| l.category.to_string()).collect();
        categories.sort();
        categories.dedup();
        if categories.iter().all(|c| c.starts_with(LOW_SIGNAL_PREFIX)) {
            return None;
        }
        let site = &self.sink_sites[site];
        let sink = sink_of(&site.entry);
        // The `@data-use` tag over the call decides the status.
        let tag_index = match site.ext {
            Some(_) => None,
            None => self.tags.data_use_at(site.span.start_byte),
        };
        let tag = match &site.ext {
            Some(ext) => ext.tag.clone(),
            None => tag_index.and_then(|i| self.tags.tags[i].data_use(self.tags.comments[i])),
        };
        let missing = match (&tag, kind) {
            (Some(tag), FindingKind::Flow) => tags::undeclared(&categories, &tag.data),
            _ => Vec::new(),
        };
        let status = match (&tag, kind) {
            (Some(_), FindingKind::Flow) if missing.is_empty() => Status::Declared,
            (Some(_), FindingKind::Flow) => Status::PartiallyDeclared,
            _ => Status::Undeclared,
        };
        let rule = match kind {
            FindingKind::Identifier => &rules::RAW_IDENTIFIER_AS_USER_ID,
            FindingKind::Flow if status == Status::PartiallyDeclared => {
                &rules::TAG_MISSING_CATEGORIES
            }
            FindingKind::Flow if categories.iter().any(|c| self.classifier.is_special(c)) => {
                &rules::SPECIAL_CATEGORY_TO_AI
            }
            FindingKind::Flow => rules::for_sink_kind(sink.kind),
        };
        let mut sources: Vec<SourceRef> = Vec::new();
        for label in labels {
            if let LabelOrigin::Source(s) = label.origin {
                let info = &self.sources[s as usize];
                let file = info.file.as_ref().map(|f| f.to_path_buf());
                if !sources
                    .iter()
                    .any(|x| x.span == info.span && x.category == info.category && x.file == file)
                {
                    sources.push(SourceRef {
                        file,
                        span: info.span,
                        category: info.category.to_string(),
                        evidence: info.evidence.clone(),
                    });
                }
            }
        }
        sources.sort_by(|a, b| a.span.cmp(&b.span).then(a.category.cmp(&b.category)));
        // The flow of the earliest source.
        let first = labels
            .iter()
            .filter_map(|l| match l.origin {
                LabelOrigin::Source(s) => Some((self.sources[s as usize].span.start_byte, l)),
                LabelOrigin::Param(_) | LabelOrigin::Field(_) => None,
            })
            .min_by_key(|(start, _)| *start)
            .map(|(_, l)| *l);
        let mut flow = Vec::new();
        if let Some(label) = first
            && let LabelOrigin::Source(s) = label.origin
        {
            let info = &self.sources[s as usize];
            flow.push(FlowStep {
                file: info.file.as_ref().map(|f| f.to_path_buf()),
                span: info.span,
                note: format!("`{}` is {}", info.evidence, info.category),
            });
            let mut chain = Vec::new();
            let mut step = label.step;
            while step != NO_STEP && chain.len() < MAX_PATH_STEPS {
                let s = &self.steps[step as usize];
                chain.push(FlowStep {
                    file: s.file.as_ref().map(|f| f.to_path_buf()),
                    span: s.span,
                    note: s.note.to_string(),
                });
                step = s.prev;
            }
            chain.reverse();
            flow.extend(chain);
        }
        let message = match kind {
            FindingKind::Flow if status == Status::PartiallyDeclared => format!(
                "{}: {} {} `{}` but the tag does not declare {}",
                rule.summary,
                categories.join(", "),
                if categories.len() == 1 {
                    "reaches"
                } else {
                    "reach"
                },
                sink.api,
                missing.join(", ")
            ),
            FindingKind::Identifier => format!(
                "{}: {} is sent as the user id of `{}`; pass an opaque id instead",
                rule.summary,
                categories.join(", "),
                sink.api
            ),
            FindingKind::Flow => format!(
                "{}: {} {} `{}`",
                rule.summary,
                categories.join(", "),
                if categories.len() == 1 {
                    "reaches"
                } else {
                    "reach"
                },
                sink.api
            ),
        };
        let prefix = self.language.line_comment();
        let mut fixes = Vec::new();
        match (status, kind, &site.ext) {
            (Status::Undeclared, FindingKind::Flow, Some(ext)) => {
                if let Some((at, indent)) = &ext.tag_insert {
                    fixes = tags::add_tag_fixes_at(
                        *at,
                        indent,
                        ext.comment_prefix,
                        sink.kind,
                        &categories,
                    );
                }
            }
            (Status::Undeclared, FindingKind::Flow, None) => {
                fixes = tags::add_tag_fixes(
                    self.src,
                    site.span.start_byte,
                    site.span.start,
                    prefix,
                    sink.kind,
                    &categories,
                );
            }
            (Status::PartiallyDeclared, _, _) => {
                if let Some(fix) = tag_index
                    .and_then(|i| tags::declare_missing_fix(self.src, &self.tags.tags[i], &missing))
                {
                    fixes.push(fix);
                }
            }
            _ => {}
        }
        // Each source can be marked as not personal data, once per line.
        let mut marked_rows = Vec::new();
        for source in &sources {
            // Sources in other files are edited from there.
            if site.ext.is_some()
                || source.file.is_some()
                || marked_rows.contains(&source.span.start.row)
            {
                continue;
            }
            marked_rows.push(source.span.start.row);
            fixes.push(Fix {
                title: format!("Mark `{}` as not personal data", source.evidence),
                kind: FixKind::NotPersonalData,
                preferred: false,
                edits: vec![tags::insert_line_above(
                    self.src,
                    source.span.start_byte,
                    source.span.start,
                    prefix,
                    "@not-personal-data",
                )],
            });
        }
        let severity = if status == Status::Declared {
            // A declared flow is recorded, not warned about.
            Severity::Hint
        } else {
            rule.default_severity
        };
        Some(Finding {
            code: rule.code,
            rule: rule.name,
            severity,
            message,
            span: site.span,
            sink: Some(sink),
            categories,
            sources,
            flow,
            tag,
            status,
            fixes,
        })
    }
}

impl Engine<'_, '_> {
    /// A finding of this file's analysis that belongs to `file` (the one
    /// holding its AI call): references to this file name it, references to
    /// `file` become local.
    fn relocate(&self, mut finding: Finding, file: &Arc<Path>) -> Finding {
        let this = self.this_file.as_ref().map(|f| f.to_path_buf());
        let fix = |slot: &mut Option<std::path::PathBuf>| match slot {
            Some(f) if f.as_path() == &**file => *slot = None,
            None => slot.clone_from(&this),
            _ => {}
        };
        for source in &mut finding.sources {
            fix(&mut source.file);
        }
        for step in &mut finding.flow {
            fix(&mut step.file);
        }
        finding
    }
}

/// Adds "parameter (or field) `key` reaches `sink`" to a summary once.
fn note_symbolic_sink(list: &mut Vec<(u16, usize, u32)>, key: u16, sink: usize, step: u32) {
    if !list.iter().any(|(k, s, _)| *k == key && *s == sink) {
        list.push((key, sink, step));
    }
}

/// The catalogue entry of a function tagged `@ai-sink <kind>`.
fn in_house_sink(name: &str, kind: SinkKind) -> Cow<'static, SinkEntry> {
    Cow::Owned(SinkEntry {
        api: name.to_string(),
        provider: "in-house".into(),
        kind,
        calls: Vec::new(),
        data: Vec::new(),
        identifiers: Vec::new(),
    })
}

/// The result of a `@sanitizer` function: none of the `cleaned` categories
/// (all, when empty) of its arguments survive.
fn sanitized_result(cleaned: &[&'static str], args: &Arguments<'_, '_>) -> Value {
    let mut value = Value {
        sanitized: true,
        ..Value::default()
    };
    if !cleaned.is_empty() {
        for arg in args.all() {
            for label in arg.labels.iter().filter(|l| !l.is_symbolic()) {
                if !cleaned
                    .iter()
                    .any(|c| knowledge::key_has_prefix(label.category, c))
                {
                    push_label(&mut value.labels, *label);
                }
            }
        }
        value.sanitized = value.labels.is_empty();
    }
    value
}

/// The value flowing into each of `params` at a call; `shift` skips a
/// method's own instance.
fn param_inputs(params: &[String], shift: usize, args: &Arguments<'_, '_>) -> Vec<Value> {
    let mut inputs: Vec<Value> = vec![Value::default(); params.len()];
    for (i, (_, v)) in args.positional.iter().enumerate() {
        if let Some(slot) = inputs.get_mut(i + shift) {
            slot.union(v);
        }
    }
    for (kw, _, v) in &args.keyword {
        if let Some(i) = params.iter().position(|p| p == kw) {
            inputs[i].union(v);
        }
    }
    for v in &args.spread {
        for slot in inputs.iter_mut().skip(shift) {
            slot.union(v);
        }
    }
    inputs
}

fn sink_of(entry: &SinkEntry) -> Sink {
    Sink {
        kind: entry.kind,
        api: entry.api.clone(),
        provider: entry.provider.clone(),
    }
}

#[derive(Default)]
struct Arguments<'a, 't> {
    positional: Vec<(Node<'t>, Value)>,
    keyword: Vec<(&'a str, Node<'t>, Value)>,
    spread: Vec<Value>,
}

impl Arguments<'_, '_> {
    fn all(&self) -> impl Iterator<Item = &Value> {
        self.positional
            .iter()
            .map(|(_, v)| v)
            .chain(self.keyword.iter().map(|(_, _, v)| v))
            .chain(self.spread.iter())
    }
}

const MUTATORS: &[&str] = &[
    "append",
    "extend",
    "insert",
    "add",
    "update",
    "setdefault",
    "appendleft",
    "push",
    "unshift",
    "put",
    "set",
];

const MODEL_WORDS: &[&str] = &[
    "model",
    "clf",
    "classifier",
    "regressor",
    "estimator",
    "pipeline",
    "pipe",
    "rf",
    "xgb",
    "lgbm",
    "lgb",
    "knn",
    "svm",
    "svc",
    "svr",
    "tree",
    "forest",
    "net",
    "network",
    "nn",
    "logreg",
    "gbm",
    "gbr",
    "gbc",
    "booster",
    "bst",
    "learner",
    "algo",
    "recommender",
    "predictor",
    "ensemble",
    "mlp",
    "cnn",
    "rnn",
    "lstm",
    "autoencoder",
    "kmeans",
];

static HEURISTIC_FIT: std::sync::LazyLock<SinkEntry> = std::sync::LazyLock::new(|| SinkEntry {
    api: "model.fit".into(),
    provider: "local".into(),
    kind: SinkKind::Training,
    calls: Vec::new(),
    data: Vec::new(),
    identifiers: Vec::new(),
});

static HEURISTIC_PREDICT: std::sync::LazyLock<SinkEntry> = std::sync::LazyLock::new(|| SinkEntry {
    api: "model.predict".into(),
    provider: "local".into(),
    kind: SinkKind::LocalInference,
    calls: Vec::new(),
    data: Vec::new(),
    identifiers: Vec::new(),
});

fn named_children(node: Node) -> Vec<Node> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// The text of a string literal without prefix and quotes: `f"abc"` → `abc`.
fn string_content(text: &str) -> &str {
    // A prefix (`f`, `rb`) only before a quote; a bare word is its own content.
    let t = match text.find(['"', '\'', '`']) {
        Some(quote) if quote <= 3 && text[..quote].chars().all(|c| c.is_ascii_alphabetic()) => {
            &text[quote..]
        }
        _ => return text,
    };
    for quote in ["\"\"\"", "'''", "\"", "'", "`"] {
        if let Some(inner) = t.strip_prefix(quote).and_then(|s| s.strip_suffix(quote)) {
            return inner;
        }
    }
    t
}

/// String literals directly in a key expression (`"age"` or `["age", "zip"]`).
fn string_literals<'t>(node: Node<'t>, engine: &Engine<'_, 't>) -> Vec<String> {
    match engine.role(node) {
        Some(Role::Str) => vec![string_content(engine.text(node)).to_string()],
        None => named_children(node)
            .into_iter()
            .filter(|c| engine.role(*c) == Some(Role::Str))
            .map(|c| string_content(engine.text(c)).to_string())
            .collect(),
        _ => Vec::new(),
    }
}

/// Finds `name` inside `node`'s text, so that the bound name borrows the source.
fn find_in<'a>(src: &'a str, name: &str, node: Node) -> Option<&'a str> {
    // An empty name (broken imports such as `import, "x"`) matches
    // everywhere without advancing: it used to loop forever (found by fuzzing).
    if name.is_empty() {
        return None;
    }
    let text = src.get(node.start_byte()..node.end_byte())?;
    let mut offset = 0;
    while let Some(pos) = text[offset..].find(name) {
        let start = offset + pos;
        let end = start + name.len();
        let before = text[..start].chars().next_back();
        let after = text[end..].chars().next();
        let is_word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !is_word(before) && !is_word(after) {
            return src.get(node.start_byte() + start..node.start_byte() + end);
        }
        offset = end;
    }
    None
}

/// The taxonomy's own key string for a category written in a tag.
fn taxonomy_key(text: &str) -> Option<&'static str> {
    knowledge::get()
        .taxonomy
        .category(text)
        .map(|c| c.key.as_str())
}

/// The project's additions (configuration), compiled for one analysis.
#[derive(Default)]
struct ProjectKnowledge {
    sources: Vec<(Vec<String>, &'static str)>,
    sinks: Vec<(super::sinks::Glob, SinkEntry)>,
    sanitizers: Vec<super::sinks::Glob>,
}

impl ProjectKnowledge {
    fn new(extensions: &Extensions) -> ProjectKnowledge {
        let sources = extensions
            .sources
            .iter()
            .filter_map(|(pattern, category)| {
                Some((classify::tokens(pattern), taxonomy_key(category)?))
            })
            .filter(|(tokens, _)| !tokens.is_empty())
            .collect();
        let sinks = extensions
            .sinks
            .iter()
            .map(|(call, kind)| {
                (
                    super::sinks::Glob::whole(call),
                    SinkEntry {
                        api: call.clone(),
                        provider: "project".into(),
                        kind: *kind,
                        calls: vec![call.clone()],
                        data: Vec::new(),
                        identifiers: Vec::new(),
                    },
                )
            })
            .collect();
        let sanitizers = extensions
            .sanitizers
            .iter()
            .map(|c| super::sinks::Glob::whole(c))
            .collect();
        ProjectKnowledge {
            sources,
            sinks,
            sanitizers,
        }
    }

    /// A project source name: its tokens contain the pattern's tokens in a row.
    fn classify(&self, name: &str) -> Option<classify::Classification> {
        if self.sources.is_empty() {
            return None;
        }
        let tokens = classify::tokens(name);
        self.sources.iter().find_map(|(pattern, category)| {
            tokens
                .windows(pattern.len())
                .any(|w| w == pattern.as_slice())
                .then_some(classify::Classification {
                    category,
                    strength: crate::knowledge::Strength::Strong,
                })
        })
    }

    fn sink(&self, path: &str) -> Option<SinkEntry> {
        self.sinks
            .iter()
            .find(|(glob, _)| glob.is_match(path))
            .map(|(_, e)| e.clone())
    }

    fn is_sanitizer(&self, path: &str) -> bool {
        self.sanitizers.iter().any(|glob| glob.is_match(path))
    }
}
