//! Resolves call paths against a language's catalogue of AI calls,
//! sanitizers, opaque calls and data loaders.
//!
//! A call path is the import path of the call's root name followed by each
//! attribute, with `()` after every segment that was called:
//! `client = OpenAI(); client.chat.completions.create(…)` resolves to
//! `openai.OpenAI().chat.completions.create`.

use std::sync::LazyLock;

use rustc_hash::FxHashMap as HashMap;

use crate::knowledge::{self, Catalogue, SanitizerEntry, SinkEntry};
use crate::language::Language;

pub struct Resolver {
    catalogue: &'static Catalogue,
    sinks: PatternSet,
    /// Sink patterns reduced to what follows the client constructor
    /// (`.chat.completions.create`), for clients we could not resolve, such
    /// as a parameter named `client` in a file that imports `openai`.
    fallback: PatternSet,
    fallback_roots: Vec<String>,
    sanitizers: PatternSet,
    opaque: PatternSet,
    loaders: PatternSet,
    /// First segments of the sink patterns (`openai`, `sklearn`) and the
    /// literal prefixes of wildcard ones (`langchain_` for `langchain_*`):
    /// a cheap test that skips the regex set for most calls.
    sink_roots: std::collections::HashSet<String>,
    sink_root_prefixes: Vec<String>,
    /// Last segments of the fallback patterns (`create`, `invoke`).
    fallback_methods: std::collections::HashSet<String>,
    fallback_any_method: bool,
}

fn first_segment(path: &str) -> &str {
    path.split(['.', '(']).next().unwrap_or(path)
}

fn last_segment(path: &str) -> &str {
    path.trim_end_matches("()")
        .rsplit('.')
        .next()
        .unwrap_or(path)
}

/// One piece of a catalogue glob.
#[derive(Debug, Clone, PartialEq)]
enum Token {
    Literal(Box<str>),
    /// `*`: any run of characters without a `.` (one segment or less).
    Star,
    /// `**`: any run of characters without a line break (across segments).
    AnyStar,
    /// Whatever follows (a pattern anchored at its start only).
    Rest,
}

/// How a pattern is anchored in a call path.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Anchor {
    /// The whole path (`^glob$`).
    Whole,
    /// The whole path or a suffix of it that starts a segment (`(^|\.)glob$`).
    Suffix,
}

/// A catalogue (or project) glob, matched directly: the regular expressions
/// they stand for took longer to compile than most files take to analyse,
/// and only a handful of them can match any one call path.
#[derive(Debug, Clone)]
pub(crate) struct Glob {
    tokens: Vec<Token>,
    anchor: Anchor,
}

impl Glob {
    /// A glob that must match a whole call path.
    pub(crate) fn whole(pattern: &str) -> Glob {
        Glob::new(pattern, Anchor::Whole, "", false)
    }

    /// `suffix` is a literal that must follow the glob (`()` after a loader),
    /// then anything may (`rest`).
    fn new(pattern: &str, anchor: Anchor, suffix: &str, rest: bool) -> Glob {
        let mut tokens = Vec::new();
        let mut literal = String::new();
        let mut chars = pattern;
        while !chars.is_empty() {
            let token = if let Some(r) = chars.strip_prefix("**") {
                chars = r;
                Token::AnyStar
            } else if let Some(r) = chars.strip_prefix('*') {
                chars = r;
                Token::Star
            } else {
                let c = chars.chars().next().unwrap_or_default();
                literal.push(c);
                chars = &chars[c.len_utf8()..];
                continue;
            };
            if !literal.is_empty() {
                tokens.push(Token::Literal(std::mem::take(&mut literal).into()));
            }
            tokens.push(token);
        }
        literal.push_str(suffix);
        if !literal.is_empty() {
            tokens.push(Token::Literal(literal.into()));
        }
        if rest {
            tokens.push(Token::Rest);
        }
        Glob { tokens, anchor }
    }

    pub(crate) fn is_match(&self, path: &str) -> bool {
        let path = path.as_bytes();
        match self.anchor {
            Anchor::Whole => matches_from(&self.tokens, path),
            Anchor::Suffix => {
                matches_from(&self.tokens, path)
                    || path.iter().enumerate().any(|(i, b)| {
                        *b == b'.' && matches_from(&self.tokens, path.get(i + 1..).unwrap_or(&[]))
                    })
            }
        }
    }

    /// The first segment every matching path has (up to the first `.`,
    /// `(` or `)`), when the glob fixes it.
    fn head(&self) -> Option<&str> {
        if self.anchor != Anchor::Whole {
            return None;
        }
        let Some(Token::Literal(first)) = self.tokens.first() else {
            return None;
        };
        match first.find(SEGMENT_ENDS) {
            Some(end) => Some(&first[..end]),
            None => (self.tokens.len() == 1).then_some(first),
        }
    }

    /// The last segment every matching path has (after the last `.`, `(`
    /// or `)`), when the glob fixes it.
    fn tail(&self) -> Option<&str> {
        let Some(Token::Literal(last)) = self.tokens.last() else {
            return None;
        };
        match last.rfind(SEGMENT_ENDS) {
            Some(start) => Some(&last[start + 1..]),
            None => (self.tokens.len() == 1).then_some(last),
        }
    }
}

const SEGMENT_ENDS: [char; 3] = ['.', '(', ')'];

fn path_head(path: &str) -> &str {
    path.find(SEGMENT_ENDS).map_or(path, |end| &path[..end])
}

fn path_tail(path: &str) -> &str {
    path.rfind(SEGMENT_ENDS)
        .map_or(path, |start| &path[start + 1..])
}

/// Whether `tokens` match all of `text`. Globs have at most a few stars,
/// so backtracking stays cheap.
fn matches_from(tokens: &[Token], text: &[u8]) -> bool {
    let Some((token, rest)) = tokens.split_first() else {
        return text.is_empty();
    };
    match token {
        Token::Literal(literal) => text
            .strip_prefix(literal.as_bytes())
            .is_some_and(|after| matches_from(rest, after)),
        Token::Rest => true,
        Token::Star | Token::AnyStar => {
            let stop = if *token == Token::Star { b'.' } else { b'\n' };
            for i in 0..=text.len() {
                if matches_from(rest, text.get(i..).unwrap_or(&[])) {
                    return true;
                }
                if text.get(i).is_none_or(|b| *b == stop) {
                    break;
                }
            }
            false
        }
    }
}

/// The globs that fix one first segment: by the last segment they also
/// fix, and those that fix no last segment.
type HeadGroup = (HashMap<Box<str>, Vec<usize>>, Vec<usize>);

/// Globs indexed by the first and last segments they fix; `owner[i]` is
/// the catalogue entry of glob `i` (in catalogue order).
struct PatternSet {
    globs: Vec<Glob>,
    owner: Vec<usize>,
    /// Globs that fix their first segment, by it: those that also fix their
    /// last segment by that, and the others.
    by_head: HashMap<Box<str>, HeadGroup>,
    /// Globs that fix only their last segment.
    by_tail: HashMap<Box<str>, Vec<usize>>,
    /// Globs that fix neither.
    others: Vec<usize>,
}

impl PatternSet {
    fn new(patterns: Vec<(Glob, usize)>) -> PatternSet {
        let mut set = PatternSet {
            globs: Vec::with_capacity(patterns.len()),
            owner: Vec::with_capacity(patterns.len()),
            by_head: HashMap::default(),
            by_tail: HashMap::default(),
            others: Vec::new(),
        };
        for (index, (glob, owner)) in patterns.into_iter().enumerate() {
            match (glob.head(), glob.tail()) {
                (Some(head), Some(tail)) => set
                    .by_head
                    .entry(head.into())
                    .or_default()
                    .0
                    .entry(tail.into())
                    .or_default()
                    .push(index),
                (Some(head), None) => set.by_head.entry(head.into()).or_default().1.push(index),
                (None, Some(tail)) => set.by_tail.entry(tail.into()).or_default().push(index),
                (None, None) => set.others.push(index),
            }
            set.globs.push(glob);
            set.owner.push(owner);
        }
        set
    }

    /// The globs that may match `path`, each list in catalogue order.
    fn candidates<'s>(&'s self, path: &str) -> [&'s [usize]; 4] {
        let tail = path_tail(path);
        let (with_tail, head_only) = match self.by_head.get(path_head(path)) {
            Some((by_tail, rest)) => (
                by_tail.get(tail).map_or(&[][..], Vec::as_slice),
                rest.as_slice(),
            ),
            None => (&[][..], &[][..]),
        };
        [
            with_tail,
            head_only,
            self.by_tail.get(tail).map_or(&[][..], Vec::as_slice),
            &self.others,
        ]
    }

    /// The first catalogue entry (in catalogue order) with a matching pattern.
    fn first(&self, path: &str) -> Option<usize> {
        self.candidates(path)
            .iter()
            .filter_map(|list| list.iter().find(|i| self.globs[**i].is_match(path)))
            .map(|i| self.owner[*i])
            .min()
    }

    /// The indices of every matching pattern, in no particular order.
    fn matching<'s>(&'s self, path: &'s str) -> impl Iterator<Item = usize> + 's {
        self.candidates(path)
            .into_iter()
            .flatten()
            .copied()
            .filter(move |i| self.globs[*i].is_match(path))
    }
}

impl Resolver {
    fn new(catalogue: &'static Catalogue) -> Resolver {
        let mut sink_patterns = Vec::new();
        let mut fallback_patterns = Vec::new();
        let mut fallback_roots = Vec::new();
        for (i, sink) in catalogue.sinks.iter().enumerate() {
            for call in &sink.calls {
                sink_patterns.push((Glob::whole(call), i));
                if let Some((head, rest)) = call.split_once("().")
                    && rest.contains('.')
                    && !head.contains('*')
                {
                    let root = head.split('.').next().unwrap_or(head).to_string();
                    fallback_patterns.push((Glob::new(rest, Anchor::Suffix, "", false), i));
                    fallback_roots.push(root);
                }
            }
        }
        let sanitizer_patterns = catalogue
            .sanitizers
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.calls.iter().map(move |c| (Glob::whole(c), i)))
            .collect();
        let opaque_patterns = catalogue
            .opaque_calls
            .iter()
            .enumerate()
            .map(|(i, c)| (Glob::whole(c), i))
            .collect();
        // A loader's result and anything derived from it (`read_csv().dropna()`).
        let loader_patterns = catalogue
            .data_loaders
            .iter()
            .enumerate()
            .map(|(i, c)| (Glob::new(c, Anchor::Whole, "()", true), i))
            .collect();
        let mut sink_roots = std::collections::HashSet::new();
        let mut sink_root_prefixes = Vec::new();
        for call in catalogue.sinks.iter().flat_map(|s| s.calls.iter()) {
            let root = first_segment(call);
            match root.split_once('*') {
                Some((prefix, _)) => sink_root_prefixes.push(prefix.to_string()),
                None => {
                    sink_roots.insert(root.to_string());
                }
            }
        }
        let fallback_methods: std::collections::HashSet<String> = catalogue
            .sinks
            .iter()
            .flat_map(|s| s.calls.iter())
            .filter_map(|c| {
                c.split_once("().")
                    .map(|(_, rest)| last_segment(rest).to_string())
            })
            .collect();
        let fallback_any_method = fallback_methods.iter().any(|m: &String| m.contains('*'));
        Resolver {
            catalogue,
            fallback_any_method,
            sink_roots,
            sink_root_prefixes,
            fallback_methods,
            sinks: PatternSet::new(sink_patterns),
            fallback: PatternSet::new(fallback_patterns),
            fallback_roots,
            sanitizers: PatternSet::new(sanitizer_patterns),
            opaque: PatternSet::new(opaque_patterns),
            loaders: PatternSet::new(loader_patterns),
        }
    }

    /// The sink a resolved call path names.
    pub fn sink(&self, path: &str) -> Option<&'static SinkEntry> {
        let root = first_segment(path);
        if !self.sink_roots.contains(root)
            && !self
                .sink_root_prefixes
                .iter()
                .any(|p| root.starts_with(p.as_str()))
        {
            return None;
        }
        self.sinks.first(path).map(|i| &self.catalogue.sinks[i])
    }

    /// A sink for a call on a client we could not resolve, when the file
    /// imports the client's module (`is_imported("openai")`).
    pub fn sink_by_suffix(
        &self,
        path: &str,
        is_imported: impl Fn(&str) -> bool,
    ) -> Option<&'static SinkEntry> {
        let method = last_segment(path);
        if !self.fallback_any_method && !self.fallback_methods.contains(method) {
            return None;
        }
        let mut best: Option<usize> = None;
        for (pattern_index, sink_index) in self
            .fallback
            .matching(path)
            .map(|p| (p, self.fallback.owner[p]))
        {
            let root = self
                .fallback_roots
                .get(pattern_index)
                .map(String::as_str)
                .unwrap_or("");
            if is_imported(root) && best.is_none_or(|b| sink_index < b) {
                best = Some(sink_index);
            }
        }
        best.map(|i| &self.catalogue.sinks[i])
    }

    pub fn sanitizer(&self, path: &str) -> Option<&'static SanitizerEntry> {
        self.sanitizers
            .first(path)
            .map(|i| &self.catalogue.sanitizers[i])
    }

    pub fn is_opaque(&self, path: &str) -> bool {
        self.opaque.first(path).is_some()
    }

    /// Whether the value with this origin path is (derived from) a loaded data table.
    pub fn is_loaded_table(&self, path: &str) -> bool {
        self.loaders.matching(path).next().is_some()
    }

    pub fn ml_modules(&self) -> &'static [String] {
        &self.catalogue.ml_modules
    }
}

static PYTHON: LazyLock<Resolver> = LazyLock::new(|| Resolver::new(&knowledge::get().python));
static JAVASCRIPT: LazyLock<Resolver> =
    LazyLock::new(|| Resolver::new(&knowledge::get().javascript));

pub fn resolver(language: Language) -> &'static Resolver {
    match language {
        Language::Python => &PYTHON,
        Language::JavaScript | Language::TypeScript | Language::Tsx => &JAVASCRIPT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A catalogue glob as a regular expression body: `*` stays inside one
    /// segment, `**` crosses segments, everything else is literal. The
    /// reference the glob matcher is checked against.
    fn glob_body(pattern: &str) -> String {
        let mut out = String::new();
        let mut rest = pattern;
        while !rest.is_empty() {
            if let Some(r) = rest.strip_prefix("**") {
                out.push_str(".*");
                rest = r;
            } else if let Some(r) = rest.strip_prefix('*') {
                out.push_str("[^.]*");
                rest = r;
            } else {
                let c = rest.chars().next().unwrap_or_default();
                out.push_str(&regex::escape(&c.to_string()));
                rest = &rest[c.len_utf8()..];
            }
        }
        out
    }

    fn exact(pattern: &str) -> String {
        format!("^{}$", glob_body(pattern))
    }

    #[test]
    fn globs_stay_within_segments() {
        let re = regex::Regex::new(&exact("sklearn.**().fit")).unwrap();
        assert!(re.is_match("sklearn.ensemble.RandomForestClassifier().fit"));
        assert!(!re.is_match("mylib.sklearn.X().fit"));
        let re = regex::Regex::new(&exact("langchain_*.Chat*().invoke")).unwrap();
        assert!(re.is_match("langchain_openai.ChatOpenAI().invoke"));
        assert!(!re.is_match("langchain_openai.chat.ChatOpenAI().invoke"));
        for (glob, path, expected) in [
            (
                "sklearn.**().fit",
                "sklearn.ensemble.RandomForestClassifier().fit",
                true,
            ),
            ("sklearn.**().fit", "mylib.sklearn.X().fit", false),
            (
                "langchain_*.Chat*().invoke",
                "langchain_openai.ChatOpenAI().invoke",
                true,
            ),
            (
                "langchain_*.Chat*().invoke",
                "langchain_openai.chat.ChatOpenAI().invoke",
                false,
            ),
            ("a.**.b", "a.x\ny.b", false),
        ] {
            let matched = Glob::whole(glob).is_match(path);
            assert_eq!(matched, expected, "{glob} on {path:?}");
        }
    }

    /// The regular expressions the catalogue globs stand for, as the
    /// resolver once compiled them: the reference for the glob matcher.
    fn reference_sets(catalogue: &Catalogue) -> [(regex::RegexSet, Vec<usize>); 5] {
        let mut sinks = Vec::new();
        let mut fallback = Vec::new();
        for (i, sink) in catalogue.sinks.iter().enumerate() {
            for call in &sink.calls {
                sinks.push((exact(call), i));
                if let Some((head, rest)) = call.split_once("().")
                    && rest.contains('.')
                    && !head.contains('*')
                {
                    fallback.push((format!(r"(^|\.){}$", glob_body(rest)), i));
                }
            }
        }
        let sanitizers = catalogue
            .sanitizers
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.calls.iter().map(move |c| (exact(c), i)))
            .collect();
        let opaque = catalogue
            .opaque_calls
            .iter()
            .enumerate()
            .map(|(i, c)| (exact(c), i))
            .collect();
        let loaders = catalogue
            .data_loaders
            .iter()
            .enumerate()
            .map(|(i, c)| (format!(r"^{}\(\)", glob_body(c)), i))
            .collect();
        [sinks, fallback, sanitizers, opaque, loaders].map(|patterns: Vec<(String, usize)>| {
            let (regexes, owner): (Vec<String>, Vec<usize>) = patterns.into_iter().unzip();
            (regex::RegexSet::new(&regexes).expect("compiles"), owner)
        })
    }

    /// Call paths near every glob of the catalogue: its wildcards filled in
    /// several ways (some crossing segments, some with line breaks), with
    /// segments added before and after, and cut short.
    fn paths_near(catalogue: &Catalogue) -> Vec<String> {
        let globs = catalogue
            .sinks
            .iter()
            .flat_map(|s| s.calls.iter())
            .chain(catalogue.sanitizers.iter().flat_map(|s| s.calls.iter()))
            .chain(&catalogue.opaque_calls)
            .chain(&catalogue.data_loaders);
        let fills = [
            ("", ""),
            ("a", "A"),
            ("a.b", "Ab_c"),
            ("x().y", "A()"),
            ("a\nb", "x.y"),
            ("p.q.r", "A\n"),
        ];
        let mut out = Vec::new();
        for glob in globs {
            for (any, one) in fills {
                let filled = glob
                    .replace("**", "\u{1}")
                    .replace('*', one)
                    .replace('\u{1}', any);
                let cut = filled.char_indices().last().map_or(0, |(i, _)| i);
                for path in [
                    filled.clone(),
                    format!("m.{filled}"),
                    format!("{filled}()"),
                    format!("{filled}().x"),
                    format!("{filled}.y"),
                    format!("{filled}()z"),
                    filled[..cut].to_string(),
                    filled.replacen('.', "", 1),
                ] {
                    out.push(path.clone());
                    if let Some((_, rest)) = path.split_once("().") {
                        out.push(rest.to_string());
                        out.push(format!("client.{rest}"));
                        out.push(format!("self.client().{rest}"));
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The indexed glob sets find, for every path, exactly the patterns the
    /// regular-expression sets found.
    #[test]
    fn glob_sets_match_like_the_regular_expressions() {
        for catalogue in [&knowledge::get().python, &knowledge::get().javascript] {
            let resolver = Resolver::new(catalogue);
            let reference = reference_sets(catalogue);
            let ours = [
                &resolver.sinks,
                &resolver.fallback,
                &resolver.sanitizers,
                &resolver.opaque,
                &resolver.loaders,
            ];
            let paths = paths_near(catalogue);
            assert!(paths.len() > 1000);
            let mut matched = 0;
            for path in &paths {
                for ((regexes, owner), set) in reference.iter().zip(ours) {
                    assert_eq!(set.owner, *owner);
                    let expected: Vec<usize> = regexes.matches(path).into_iter().collect();
                    let mut found: Vec<usize> = set.matching(path).collect();
                    found.sort_unstable();
                    assert_eq!(found, expected, "{path:?}");
                    assert_eq!(
                        set.first(path),
                        expected.iter().map(|i| owner[*i]).min(),
                        "{path:?}"
                    );
                    matched += usize::from(!expected.is_empty());
                }
            }
            // Both matches and misses are exercised.
            let checks = paths.len() * ours.len();
            assert!(
                matched > checks / 50 && matched < checks / 2,
                "{matched} of {checks}"
            );
        }
    }
}
