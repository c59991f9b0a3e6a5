//! Runs a language's fact query over a syntax tree and records, for each
//! node that plays a role (call, assignment, member read, …), the role and
//! its parts. The flow engine reads only these facts and the tree shape, so
//! it never needs to know a grammar's node kinds.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::LazyLock;

use tree_sitter::{Node, Query, QueryCursor, StreamingIterator, Tree};

use crate::language::Language;

/// What a node does, as far as personal data is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Call,
    KeywordArg,
    Spread,
    Member,
    Index,
    SelfRef,
    Name,
    Str,
    Opaque,
    /// Code with no run-time effect (types, interfaces): not evaluated.
    Inert,
    Assign,
    Update,
    Dict,
    Pair,
    Comprehension,
    Loop,
    Branch,
    Return,
    Function,
    Lambda,
    Param,
    Class,
    Import,
    Comment,
    /// An object destructuring target: `{ email, name: fullName }`.
    Destructure,
}

impl Role {
    fn from_capture(name: &str) -> Option<Role> {
        Some(match name {
            "call" => Role::Call,
            "arg.keyword" => Role::KeywordArg,
            "arg.spread" => Role::Spread,
            "member" => Role::Member,
            "index" => Role::Index,
            "self" => Role::SelfRef,
            "name" => Role::Name,
            "string" => Role::Str,
            "opaque" => Role::Opaque,
            "inert" => Role::Inert,
            "assign" => Role::Assign,
            "update" => Role::Update,
            "dict" => Role::Dict,
            "pair" => Role::Pair,
            "comprehension" => Role::Comprehension,
            "loop" => Role::Loop,
            "branch" => Role::Branch,
            "return" => Role::Return,
            "function" => Role::Function,
            "lambda" => Role::Lambda,
            "param" => Role::Param,
            "class" => Role::Class,
            "import" => Role::Import,
            "comment" => Role::Comment,
            "destructure" => Role::Destructure,
            _ => return None,
        })
    }
}

/// A named part of a role's node (`call.callee`, `assign.value`, …).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Callee,
    Args,
    Name,
    Value,
    Object,
    Property,
    Key,
    Target,
    Iter,
    Params,
    Body,
    Module,
    Alias,
    From,
    Type,
}

impl Part {
    fn from_suffix(suffix: &str) -> Option<Part> {
        Some(match suffix {
            "callee" => Part::Callee,
            "args" => Part::Args,
            "name" => Part::Name,
            "value" => Part::Value,
            "object" => Part::Object,
            "property" => Part::Property,
            "key" => Part::Key,
            "target" => Part::Target,
            "iter" => Part::Iter,
            "params" => Part::Params,
            "body" => Part::Body,
            "module" => Part::Module,
            "alias" => Part::Alias,
            "from" => Part::From,
            "type" => Part::Type,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy)]
enum Capture {
    Root(Role),
    Part(Part),
}

/// Parses a capture name into the vocabulary of `queries/README.md`.
fn parse_capture(name: &str) -> Option<Capture> {
    if let Some(role) = Role::from_capture(name) {
        return Some(Capture::Root(role));
    }
    let (_, suffix) = name.split_once('.')?;
    Part::from_suffix(suffix).map(Capture::Part)
}

/// Every capture name a query may use; `tests/queries.rs` checks the `.scm` files against it.
pub fn is_known_capture(name: &str) -> bool {
    name.starts_with('_') || parse_capture(name).is_some()
}

/// A language's fact query, split into the shallow patterns answered from
/// node kinds and the rest (import statements), which tree-sitter compiles
/// on first use: compiling the whole query cost more than most files'
/// analysis, and only the rest ever runs.
pub struct FactQuery {
    /// Shallow patterns (a node kind, optionally with field children such as
    /// `(call function: (_) @call.callee arguments: (_) @call.args) @call`)
    /// indexed by kind id, in pattern order. They are answered from the
    /// node's kind and fields during evaluation instead of by running the
    /// query: they match most nodes and need no tree matching.
    by_kind: Vec<Vec<ShallowPattern>>,
    /// Whether patterns besides imports remain in the query.
    full_run: bool,
    language: Language,
    /// The patterns left to the query, and each one's index in the whole
    /// query (pattern order decides which fact wins on a shared node).
    rest_source: String,
    rest_patterns: Vec<usize>,
    rest: std::sync::OnceLock<RestQuery>,
}

/// The compiled query of the patterns the fast path cannot answer, with its
/// capture names decoded once.
struct RestQuery {
    query: Query,
    captures: Vec<Option<Capture>>,
}

/// Whether a pattern's text captures `@name`.
fn text_has_capture(text: &str, name: &str) -> bool {
    text.split(|c: char| c.is_whitespace() || c == ')' || c == '(')
        .any(|token| token.strip_prefix('@') == Some(name))
}

/// The byte ranges of a query source's top-level patterns, numbered as
/// tree-sitter numbers them: each starts at an opening bracket outside any
/// pattern and runs to the next one (captures, predicates inside a group,
/// comments and strings included). A test checks the split against
/// `Query::start_byte_for_pattern` for every language.
fn split_patterns(source: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = source.as_bytes();
    let mut starts = Vec::new();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b';' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' => {
                if depth == 0 {
                    starts.push(i);
                }
                depth += 1;
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    let mut out = Vec::with_capacity(starts.len());
    for (k, start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(source.len());
        out.push(*start..end);
    }
    out
}

/// A pattern that constrains only a node's kind and the kinds of some of
/// its field children.
#[derive(Debug, Clone, PartialEq)]
struct ShallowPattern {
    index: usize,
    role: Role,
    text_eq: Option<String>,
    /// (field id, kind ids the child may have (empty for `_`), part). A
    /// kind name can have several ids (aliases), hence a list.
    fields: Vec<(u16, Vec<u16>, Part)>,
}

/// What a shallow pattern says before it is tied to a grammar.
#[derive(Debug, PartialEq)]
struct ShallowSpec {
    kinds: Vec<String>,
    /// `(#eq? @cap "text")` on the root.
    text_eq: Option<String>,
    capture: String,
    /// (field, child kind or `_`, capture).
    fields: Vec<(String, String, String)>,
}

fn lex_pattern(pattern: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    for line in pattern.lines() {
        let line = line.split(';').next().unwrap_or("");
        let mut current = String::new();
        for c in line.chars() {
            match c {
                '(' | ')' | '[' | ']' => {
                    if !current.is_empty() {
                        tokens.push(std::mem::take(&mut current));
                    }
                    tokens.push(c.to_string());
                }
                c if c.is_whitespace() => {
                    if !current.is_empty() {
                        tokens.push(std::mem::take(&mut current));
                    }
                }
                c => current.push(c),
            }
        }
        if !current.is_empty() {
            tokens.push(current);
        }
    }
    tokens
}

fn is_kind_name(token: &str) -> bool {
    !token.is_empty() && token.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Recognises `(kind) @cap`, `[(a) (b)] @cap` and
/// `(kind field: (child) @cap.part …) @cap`; anything else (nesting,
/// anchors, predicates, quantifiers, strings) is left to the query.
fn shallow_pattern(pattern: &str) -> Option<ShallowSpec> {
    let tokens = lex_pattern(pattern);
    // `((kind) @cap (#eq? @cap "text"))`
    if let [
        open,
        inner_open,
        kind,
        inner_close,
        cap,
        p_open,
        eq,
        cap2,
        literal,
        p_close,
        close,
    ] = tokens.iter().map(String::as_str).collect::<Vec<_>>()[..]
        && (open, inner_open, inner_close, p_open, eq, p_close, close)
            == ("(", "(", ")", "(", "#eq?", ")", ")")
        && is_kind_name(kind)
        && cap == cap2
        && literal.len() >= 2
        && literal.starts_with('"')
        && literal.ends_with('"')
    {
        return Some(ShallowSpec {
            kinds: vec![kind.to_string()],
            text_eq: Some(literal[1..literal.len() - 1].to_string()),
            capture: cap.strip_prefix('@')?.to_string(),
            fields: Vec::new(),
        });
    }
    let mut t = tokens.iter().map(String::as_str).peekable();
    let mut kinds = Vec::new();
    let mut fields = Vec::new();
    match t.next()? {
        "[" => {
            while t.peek() == Some(&"(") {
                t.next();
                let kind = t.next()?;
                if !is_kind_name(kind) || t.next()? != ")" {
                    return None;
                }
                kinds.push(kind.to_string());
            }
            if t.next()? != "]" {
                return None;
            }
        }
        "(" => {
            let kind = t.next()?;
            if !is_kind_name(kind) || kind == "_" {
                return None;
            }
            kinds.push(kind.to_string());
            loop {
                match t.next()? {
                    ")" => break,
                    field if field.ends_with(':') && is_kind_name(field.trim_end_matches(':')) => {
                        if t.next()? != "(" {
                            return None;
                        }
                        let child = t.next()?;
                        if !is_kind_name(child) || t.next()? != ")" {
                            return None;
                        }
                        let capture = t.next()?.strip_prefix('@')?;
                        fields.push((
                            field.trim_end_matches(':').to_string(),
                            child.to_string(),
                            capture.to_string(),
                        ));
                    }
                    _ => return None,
                }
            }
        }
        _ => return None,
    }
    let capture = t.next()?.strip_prefix('@')?.to_string();
    if t.next().is_some() || kinds.is_empty() {
        return None;
    }
    Some(ShallowSpec {
        kinds,
        text_eq: None,
        capture,
        fields,
    })
}

impl FactQuery {
    fn compile(language: Language, source: &str) -> FactQuery {
        Self::compile_with(language, source, true)
    }

    /// `shallow = false` leaves every pattern to the query, which the tests
    /// use as the reference for the shallow fast path.
    fn compile_with(language: Language, source: &str, shallow: bool) -> FactQuery {
        let grammar = language.grammar();
        if !shallow {
            let count = Query::new(&grammar, source).map_or(0, |q| q.pattern_count());
            return FactQuery {
                by_kind: Vec::new(),
                full_run: true,
                language,
                rest_source: source.to_string(),
                rest_patterns: (0..count).collect(),
                rest: std::sync::OnceLock::new(),
            };
        }
        // Named node kinds by name; a name can have several ids (aliases).
        let mut ids_by_name: HashMap<&str, Vec<u16>> = HashMap::new();
        for id in 0..grammar.node_kind_count() as u16 {
            if grammar.node_kind_is_named(id)
                && let Some(name) = grammar.node_kind_for_id(id)
            {
                ids_by_name.entry(name).or_default().push(id);
            }
        }
        let kind_ids = |kind: &str| ids_by_name.get(kind).cloned().unwrap_or_default();
        let mut by_kind: Vec<Vec<ShallowPattern>> = vec![Vec::new(); grammar.node_kind_count()];
        let mut rest_source = String::new();
        let mut rest_patterns = Vec::new();
        let mut full_run = false;
        for (index, range) in split_patterns(source).into_iter().enumerate() {
            let text = source.get(range).unwrap_or("");
            let shallow = shallow_pattern(text).and_then(|spec| {
                let Some(Capture::Root(role)) = parse_capture(&spec.capture) else {
                    return None;
                };
                // Imports need every imported name, which only the query gives.
                if matches!(role, Role::Import | Role::Comment) && !spec.fields.is_empty() {
                    return None;
                }
                let mut fields = Vec::new();
                for (field, child, capture) in &spec.fields {
                    let (Some(field_id), Some(Capture::Part(part))) =
                        (grammar.field_id_for_name(field), parse_capture(capture))
                    else {
                        return None;
                    };
                    let child_kind = match child.as_str() {
                        "_" => Vec::new(),
                        kind => kind_ids(kind),
                    };
                    fields.push((field_id.get(), child_kind, part));
                }
                Some((spec, role, fields))
            });
            match shallow {
                Some((spec, role, fields)) => {
                    for kind in &spec.kinds {
                        for id in kind_ids(kind) {
                            if let Some(list) = by_kind.get_mut(id as usize) {
                                list.push(ShallowPattern {
                                    index,
                                    role,
                                    text_eq: spec.text_eq.clone(),
                                    fields: fields.clone(),
                                });
                            }
                        }
                    }
                }
                None => {
                    // The query must run over whole trees only when patterns
                    // other than imports are left in it; imports are matched
                    // per import node.
                    full_run |= !text_has_capture(text, "import");
                    rest_source.push_str(text);
                    rest_source.push('\n');
                    rest_patterns.push(index);
                }
            }
        }
        FactQuery {
            by_kind,
            full_run,
            language,
            rest_source,
            rest_patterns,
            rest: std::sync::OnceLock::new(),
        }
    }

    /// The query of the patterns left to tree-sitter, compiled on first use.
    fn rest(&self) -> &RestQuery {
        self.rest.get_or_init(|| {
            // The queries are compiled into the binary and `tests/queries.rs`
            // compiles them against their grammars, so failure is a build defect.
            let query =
                Query::new(&self.language.grammar(), &self.rest_source).unwrap_or_else(|e| {
                    panic!("queries/{}/facts.scm compiles: {e}", self.language.name())
                });
            let captures = query
                .capture_names()
                .iter()
                .map(|n| parse_capture(n))
                .collect();
            RestQuery { query, captures }
        })
    }

    /// A match's pattern index in the whole query.
    fn pattern_index(&self, rest_index: usize) -> usize {
        self.rest_patterns
            .get(rest_index)
            .copied()
            .unwrap_or(rest_index)
    }
}

/// The text of one query file, by its folder under `queries/`.
pub fn query_file(name: &str) -> Option<&'static str> {
    Some(match name {
        "python" => include_str!("../../queries/python/facts.scm"),
        "_javascript" => include_str!("../../queries/_javascript/facts.scm"),
        "javascript" => include_str!("../../queries/javascript/facts.scm"),
        "typescript" => include_str!("../../queries/typescript/facts.scm"),
        "tsx" => include_str!("../../queries/tsx/facts.scm"),
        _ => return None,
    })
}

/// A query file with the bases named on its first line
/// (`; inherits: a,b`) placed before its own patterns, as helix does.
fn resolve_inherits(name: &str, depth: usize) -> String {
    let Some(text) = query_file(name) else {
        return String::new();
    };
    let mut out = String::new();
    if depth < 8
        && let Some(bases) = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("; inherits:"))
    {
        for base in bases.split(',').map(str::trim).filter(|b| !b.is_empty()) {
            out.push_str(&resolve_inherits(base, depth + 1));
            out.push('\n');
        }
    }
    out.push_str(text);
    out
}

static SOURCES: LazyLock<Vec<String>> = LazyLock::new(|| {
    Language::ALL
        .iter()
        .map(|l| resolve_inherits(l.name(), 0))
        .collect()
});

/// The query source for a language, with `; inherits:` bases resolved.
pub fn query_source(language: Language) -> &'static str {
    let index = Language::ALL
        .iter()
        .position(|l| *l == language)
        .unwrap_or(0);
    SOURCES.get(index).map(String::as_str).unwrap_or("")
}

/// One compiled query per language, built on first use: compiling a query
/// costs tens of milliseconds, so a Python-only run never compiles the others.
static QUERIES: [std::sync::OnceLock<FactQuery>; Language::ALL.len()] =
    [const { std::sync::OnceLock::new() }; Language::ALL.len()];

pub fn fact_query(language: Language) -> &'static FactQuery {
    let index = Language::ALL
        .iter()
        .position(|l| *l == language)
        .unwrap_or(0);
    QUERIES[index].get_or_init(|| FactQuery::compile(language, query_source(language)))
}

/// Whether the language's query still runs over whole trees (patterns left
/// that the shallow fast path cannot answer).
pub fn needs_full_run(language: Language) -> bool {
    fact_query(language).full_run
}

/// Compiles a language's whole query and the part of it the analysis
/// runs, for tests and diagnostics.
pub fn compile_query(language: Language) -> Result<(), String> {
    let grammar = language.grammar();
    Query::new(&grammar, query_source(language)).map_err(|e| format!("{e}"))?;
    let fq = FactQuery::compile(language, query_source(language));
    Query::new(&grammar, &fq.rest_source)
        .map(|_| ())
        .map_err(|e| format!("the patterns left to the query: {e}"))
}

/// A node's role with up to three parts.
#[derive(Debug, Clone, Copy)]
pub struct Fact<'t> {
    pub role: Role,
    pattern: usize,
    parts: [Option<(Part, Node<'t>)>; 3],
}

impl<'t> Fact<'t> {
    pub fn part(&self, part: Part) -> Option<Node<'t>> {
        self.parts
            .iter()
            .flatten()
            .find(|(p, _)| *p == part)
            .map(|(_, n)| *n)
    }
}

/// One import binding: `import a.b as c`, `from m import x as y`.
#[derive(Debug, Clone)]
pub struct ImportFact<'t> {
    pub node: Node<'t>,
    /// The module path for `import`, or the `from` module for `from … import`.
    pub module: String,
    /// The imported name for `from … import name`.
    pub name: Option<String>,
    pub alias: Option<String>,
    /// JavaScript's `import x from "m"`: the alias binds the module's
    /// default export (the catalogue still sees the module path).
    pub default: bool,
}

impl ImportFact<'_> {
    /// The local name this import binds.
    pub fn bound_name(&self) -> &str {
        if let Some(alias) = &self.alias {
            return alias;
        }
        match &self.name {
            Some(name) => name,
            // `import a.b` binds `a`.
            None => self.module.split('.').next().unwrap_or(&self.module),
        }
    }

    /// The dotted path the bound name stands for.
    pub fn target_path(&self) -> String {
        match (&self.name, &self.alias) {
            (Some(name), _) => join_module(&self.module, name),
            (None, Some(_)) => self.module.clone(),
            (None, None) => self.bound_name().to_string(),
        }
    }
}

fn join_module(module: &str, name: &str) -> String {
    if module.ends_with('.') {
        format!("{module}{name}")
    } else {
        format!("{module}.{name}")
    }
}

/// Node ids are addresses; a multiplicative hash spreads them well and is
/// far cheaper than SipHash on this hot path.
#[derive(Default)]
pub struct NodeIdHasher(u64);

impl Hasher for NodeIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x100_0000_01b3);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .rotate_right(17);
    }
}

const RECENT_SLOTS: usize = 64;

/// (node id, its fact) for recently asked nodes.
type RecentFacts<'t> = std::cell::RefCell<Vec<Option<(usize, Option<Fact<'t>>)>>>;

pub type NodeMap<V> = HashMap<usize, V, BuildHasherDefault<NodeIdHasher>>;

/// The facts of one file.
pub struct Facts<'t> {
    pub roles: NodeMap<Fact<'t>>,
    by_kind: &'static [Vec<ShallowPattern>],
    recent: RecentFacts<'t>,
    text: &'t [u8],
    query: &'static FactQuery,
    import_cursor: std::cell::RefCell<QueryCursor>,
    import_cache: std::cell::RefCell<ImportCache>,
    pub imports: Vec<ImportFact<'t>>,
    pub comments: Vec<Node<'t>>,
}

impl ShallowPattern {
    fn apply<'t>(&self, node: Node<'t>, text: &[u8]) -> Option<Fact<'t>> {
        if let Some(expected) = &self.text_eq
            && text.get(node.start_byte()..node.end_byte()) != Some(expected.as_bytes())
        {
            return None;
        }
        let mut parts: [Option<(Part, Node<'t>)>; 3] = [None; 3];
        for (slot, (field, kind, part)) in self.fields.iter().enumerate() {
            let child = node.child_by_field_id(*field)?;
            if !kind.is_empty() && !kind.contains(&child.kind_id()) {
                return None;
            }
            if let Some(p) = parts.get_mut(slot) {
                *p = Some((*part, child));
            }
        }
        Some(Fact {
            role: self.role,
            pattern: self.index,
            parts,
        })
    }
}

impl<'t> Facts<'t> {
    /// The node's role and parts; earlier patterns in the query win.
    pub fn get(&self, node: Node<'t>) -> Option<Fact<'t>> {
        // The engine asks for a node's role and then each of its parts; a
        // small direct-mapped cache answers the repeats.
        let id = node.id();
        let slot = (id >> 4) % RECENT_SLOTS;
        if let Some(Some((known, fact))) = self.recent.borrow().get(slot)
            && *known == id
        {
            return *fact;
        }
        let fact = self.lookup(node);
        if let Some(entry) = self.recent.borrow_mut().get_mut(slot) {
            *entry = Some((id, fact));
        }
        fact
    }

    fn lookup(&self, node: Node<'t>) -> Option<Fact<'t>> {
        let matched = if self.roles.is_empty() {
            None
        } else {
            self.roles.get(&node.id()).copied()
        };
        let patterns = self
            .by_kind
            .get(node.kind_id() as usize)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for pattern in patterns {
            if matched.is_some_and(|m| m.pattern < pattern.index) {
                break;
            }
            if let Some(fact) = pattern.apply(node, self.text) {
                return Some(fact);
            }
        }
        matched
    }

    pub fn role(&self, node: Node<'t>) -> Option<Role> {
        self.get(node).map(|f| f.role)
    }

    /// The bindings of one import statement (matched once, then remembered).
    pub fn imports_at(&self, node: Node<'t>) -> Vec<ImportFact<'t>> {
        if self.query.full_run {
            return self
                .imports
                .iter()
                .filter(|i| i.node.id() == node.id())
                .cloned()
                .collect();
        }
        if let Some(known) = self.import_cache.borrow().0.get(&node.id()) {
            return known.iter().map(|b| b.at(node)).collect();
        }
        let mut out = Vec::new();
        let mut cursor = self.import_cursor.borrow_mut();
        cursor.set_max_start_depth(Some(0));
        let rest = self.query.rest();
        let mut matches = cursor.matches(&rest.query, node, self.text);
        while let Some(m) = matches.next() {
            if let Decoded::Import(import) = decode_match(self.query, rest, m, self.text)
                && import.node.id() == node.id()
            {
                out.push(import);
            }
        }
        self.import_cache
            .borrow_mut()
            .0
            .insert(node.id(), out.iter().map(ImportBinding::of).collect());
        out
    }

    /// The import statements matched so far, for another analysis of the
    /// same tree ([`extract_reusing`]).
    pub fn into_import_cache(self) -> ImportCache {
        self.import_cache.into_inner()
    }
}

/// The bindings of the import statements of one tree matched so far, by
/// statement node. Kept with its tree, it spares matching them again when
/// the same tree is analysed again; it must not be used with another tree.
#[derive(Debug, Default)]
pub struct ImportCache(NodeMap<Vec<ImportBinding>>);

/// An [`ImportFact`] without its statement node.
#[derive(Debug, Clone)]
struct ImportBinding {
    module: String,
    name: Option<String>,
    alias: Option<String>,
    default: bool,
}

impl ImportBinding {
    fn of(import: &ImportFact<'_>) -> ImportBinding {
        ImportBinding {
            module: import.module.clone(),
            name: import.name.clone(),
            alias: import.alias.clone(),
            default: import.default,
        }
    }

    fn at<'t>(&self, node: Node<'t>) -> ImportFact<'t> {
        ImportFact {
            node,
            module: self.module.clone(),
            name: self.name.clone(),
            alias: self.alias.clone(),
            default: self.default,
        }
    }
}

/// Runs the language's fact query once over the whole tree.
pub fn extract<'t>(tree: &'t Tree, text: &'t [u8], language: Language) -> Facts<'t> {
    extract_with(fact_query(language), tree, text, ImportCache::default())
}

/// [`extract`] for a tree analysed before, with the import statements it
/// matched then ([`Facts::into_import_cache`] on that tree's facts).
pub fn extract_reusing<'t>(
    tree: &'t Tree,
    text: &'t [u8],
    language: Language,
    imports: ImportCache,
) -> Facts<'t> {
    extract_with(fact_query(language), tree, text, imports)
}

fn extract_with<'t>(
    fq: &'static FactQuery,
    tree: &'t Tree,
    text: &'t [u8],
    import_cache: ImportCache,
) -> Facts<'t> {
    let mut roles: NodeMap<Fact<'t>> = NodeMap::default();
    let mut imports = Vec::new();
    let mut comments = Vec::new();
    if fq.full_run {
        let rest = fq.rest();
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(&rest.query, tree.root_node(), text);
        while let Some(m) = matches.next() {
            match decode_match(fq, rest, m, text) {
                Decoded::Import(import) => imports.push(import),
                Decoded::Comment(node) => comments.push(node),
                Decoded::Fact(node, fact) => {
                    roles
                        .entry(node.id())
                        .and_modify(|existing| {
                            // Earlier patterns in the file take precedence.
                            if fact.pattern < existing.pattern {
                                *existing = fact;
                            }
                        })
                        .or_insert(fact);
                }
                Decoded::Nothing => {}
            }
        }
    }
    Facts {
        roles,
        by_kind: &fq.by_kind,
        recent: std::cell::RefCell::new(vec![None; RECENT_SLOTS]),
        text,
        query: fq,
        import_cursor: std::cell::RefCell::new(QueryCursor::new()),
        import_cache: std::cell::RefCell::new(import_cache),
        imports,
        comments,
    }
}

enum Decoded<'t> {
    Import(ImportFact<'t>),
    Comment(Node<'t>),
    Fact(Node<'t>, Fact<'t>),
    Nothing,
}

fn decode_match<'t>(
    fq: &FactQuery,
    rest: &RestQuery,
    m: &tree_sitter::QueryMatch<'_, 't>,
    text: &[u8],
) -> Decoded<'t> {
    let mut root: Option<(Role, Node<'t>)> = None;
    let mut parts: [Option<(Part, Node<'t>)>; 3] = [None; 3];
    let mut import_parts: [Option<Node<'t>>; 4] = [None; 4];
    let mut n_parts = 0;
    for cap in m.captures() {
        match rest.captures.get(cap.index as usize).copied().flatten() {
            Some(Capture::Root(role)) => root = Some((role, cap.node)),
            Some(Capture::Part(part)) => {
                let slot = match part {
                    Part::Module => Some(0),
                    Part::Name => Some(1),
                    Part::Alias => Some(2),
                    Part::From => Some(3),
                    _ => None,
                };
                if let Some(slot) = slot {
                    import_parts[slot] = Some(cap.node);
                }
                if n_parts < parts.len() {
                    parts[n_parts] = Some((part, cap.node));
                    n_parts += 1;
                }
            }
            None => {}
        }
    }
    let Some((role, node)) = root else {
        return Decoded::Nothing;
    };
    match role {
        Role::Import => {
            let text_of = |n: Option<Node<'t>>| {
                n.and_then(|n| n.utf8_text(text).ok()).map(|s| {
                    s.split_whitespace()
                        .collect::<String>()
                        .trim_matches(['"', '\'', '`'])
                        .to_string()
                })
            };
            let [module, name, alias, from] = import_parts;
            // Patterns for named imports leave the statement's `source` out:
            // matching it after a long specifier list keeps a partial match
            // per specifier alive, which made matching quadratic. It is read
            // off the statement instead.
            let from = from.or_else(|| {
                (module.is_none() && name.is_some())
                    .then(|| node.child_by_field_name("source"))
                    .flatten()
            });
            let (module, name) = match from {
                Some(from) => (text_of(Some(from)), text_of(name)),
                None => (text_of(module), None),
            };
            let default = from.is_some() && name.is_none();
            match module {
                Some(module) => Decoded::Import(ImportFact {
                    node,
                    module,
                    name,
                    alias: text_of(alias),
                    default,
                }),
                None => Decoded::Nothing,
            }
        }
        Role::Comment => Decoded::Comment(node),
        _ => Decoded::Fact(
            node,
            Fact {
                role,
                pattern: fq.pattern_index(m.pattern_index),
                parts,
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shallow_patterns_are_recognised() {
        let spec = shallow_pattern("(identifier) @name").expect("kind only");
        assert_eq!(
            (spec.kinds, spec.capture),
            (vec!["identifier".to_string()], "name".to_string())
        );
        let spec = shallow_pattern("[\n  (if_statement) ; comment\n  (while_statement)\n] @branch")
            .expect("alternation");
        assert_eq!(spec.kinds, ["if_statement", "while_statement"]);
        let spec = shallow_pattern(
            "(call\n  function: (_) @call.callee\n  arguments: (argument_list) @call.args) @call",
        )
        .expect("fields");
        assert_eq!(
            spec.fields,
            [
                (
                    "function".to_string(),
                    "_".to_string(),
                    "call.callee".to_string()
                ),
                (
                    "arguments".to_string(),
                    "argument_list".to_string(),
                    "call.args".to_string()
                )
            ]
        );
        let spec = shallow_pattern(
            "((identifier) @self
  (#eq? @self \"self\"))",
        )
        .expect("text predicate");
        assert_eq!(spec.text_eq.as_deref(), Some("self"));
        assert_eq!(
            shallow_pattern("((identifier) @self (#match? @self \"^s\"))"),
            None
        );
        assert_eq!(
            shallow_pattern("(as_pattern . (_) @assign.value alias: (_) @assign.target) @assign"),
            None
        );
        assert_eq!(
            shallow_pattern("(parameters (identifier) @param.name @param)"),
            None
        );
        assert_eq!(shallow_pattern("(a b: (c (d)) @x) @y"), None);
    }

    #[test]
    fn kind_roles_and_query_matches_agree_on_precedence() {
        let text = "def f(self, email):\n    return self.x + email\n";
        let tree = crate::analysis::parse(text, Language::Python, None).expect("parses");
        let facts = extract(&tree, text.as_bytes(), Language::Python);
        let mut roles = Vec::new();
        let mut stack = vec![tree.root_node()];
        while let Some(node) = stack.pop() {
            if node.kind() == "identifier" {
                roles.push((
                    node.utf8_text(text.as_bytes()).unwrap_or(""),
                    facts.role(node),
                ));
            }
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
        roles.sort_by_key(|(t, _)| *t);
        // `@self` (earlier, with a text predicate) wins over the `@name` fallback.
        assert!(
            roles
                .iter()
                .filter(|(t, _)| *t == "self")
                .all(|(_, r)| *r == Some(Role::SelfRef))
        );
        assert!(
            roles
                .iter()
                .filter(|(t, _)| *t == "email")
                .all(|(_, r)| *r == Some(Role::Name))
        );
        assert!(roles.contains(&("f", Some(Role::Name))));
    }

    /// The shallow fast path must give every node exactly the role and parts
    /// the full query gives it, on every fixture and example.
    #[test]
    fn shallow_patterns_agree_with_the_full_query() {
        for language in Language::ALL {
            let reference: &'static FactQuery = Box::leak(Box::new(FactQuery::compile_with(
                language,
                query_source(language),
                false,
            )));
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
            let mut files = Vec::new();
            let mut dirs = vec![root.join("tests/fixtures"), root.join("examples")];
            while let Some(dir) = dirs.pop() {
                for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                    let path = entry.path();
                    if path.is_dir() {
                        dirs.push(path);
                    } else if Language::from_path(&path) == Some(language) {
                        files.push(path);
                    }
                }
            }
            assert!(!files.is_empty());
            for path in files {
                let text = std::fs::read_to_string(&path).expect("fixture is UTF-8");
                let tree = crate::analysis::parse(&text, language, None).expect("parses");
                let fast = extract(&tree, text.as_bytes(), language);
                let full = extract_with(reference, &tree, text.as_bytes(), ImportCache::default());
                let describe_imports = |imports: &[ImportFact]| {
                    imports
                        .iter()
                        .map(|i| {
                            (
                                i.node.id(),
                                i.module.clone(),
                                i.name.clone(),
                                i.alias.clone(),
                                i.default,
                            )
                        })
                        .collect::<Vec<_>>()
                };
                let mut import_nodes = Vec::new();
                let mut stack = vec![tree.root_node()];
                while let Some(node) = stack.pop() {
                    let describe = |f: Option<Fact>| {
                        f.map(|f| {
                            let parts: Vec<_> = f
                                .parts
                                .iter()
                                .flatten()
                                .map(|(p, n)| (*p, n.id()))
                                .collect();
                            (f.role, parts)
                        })
                    };
                    // Import statements are matched per statement, not by the full run.
                    let statement = |f: Option<Fact>| {
                        matches!(f.map(|f| f.role), Some(Role::Import | Role::Comment))
                    };
                    if statement(fast.get(node)) || statement(full.get(node)) {
                        // The per-statement import query gives each import
                        // statement the bindings the full run gives it.
                        if fast.role(node) == Some(Role::Import) {
                            import_nodes.push(node.id());
                            assert_eq!(
                                describe_imports(&fast.imports_at(node)),
                                describe_imports(&full.imports_at(node)),
                                "{}:{}: `{}`",
                                path.display(),
                                node.start_position().row + 1,
                                node.utf8_text(text.as_bytes()).unwrap_or("")
                            );
                        }
                        let mut cursor = node.walk();
                        stack.extend(node.children(&mut cursor));
                        continue;
                    }
                    assert_eq!(
                        describe(fast.get(node)),
                        describe(full.get(node)),
                        "{}:{}: {} `{}`",
                        path.display(),
                        node.start_position().row + 1,
                        node.kind(),
                        node.utf8_text(text.as_bytes()).unwrap_or("")
                    );
                    let mut cursor = node.walk();
                    stack.extend(node.children(&mut cursor));
                }
                // No import binding sits on a node the fast path does not ask.
                for import in &full.imports {
                    assert!(
                        import_nodes.contains(&import.node.id()),
                        "{}:{}: import `{}` on a node without the import role",
                        path.display(),
                        import.node.start_position().row + 1,
                        import.module
                    );
                }
            }
        }
    }

    /// The fast path numbers patterns itself (their order decides which
    /// role wins on a shared node): the split must be tree-sitter's.
    #[test]
    fn patterns_are_split_as_tree_sitter_splits_them() {
        for language in Language::ALL {
            let source = query_source(language);
            let query = Query::new(&language.grammar(), source).expect("compiles");
            let split = split_patterns(source);
            assert_eq!(split.len(), query.pattern_count(), "{}", language.name());
            for (index, range) in split.iter().enumerate() {
                assert_eq!(
                    range.start,
                    query.start_byte_for_pattern(index),
                    "{} pattern {index}",
                    language.name()
                );
                let theirs = source
                    .get(query.start_byte_for_pattern(index)..query.end_byte_for_pattern(index))
                    .unwrap_or("");
                let ours = source.get(range.clone()).unwrap_or("");
                assert!(
                    ours.starts_with(theirs.trim_end()),
                    "{} pattern {index}: {ours:?} vs {theirs:?}",
                    language.name()
                );
            }
        }
        let tricky =
            "; (not) a pattern\n((identifier) @x (#eq? @x \"(\\\"[\"))\n[(a) (b)] @y ; (c)\n";
        let split = split_patterns(tricky);
        assert_eq!(split.len(), 2);
        assert!(tricky[split[1].clone()].starts_with("[(a)"));
    }
}
