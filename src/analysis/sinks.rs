//! Resolves call paths against a language's catalogue of AI calls,
//! sanitizers, opaque calls and data loaders.
//!
//! A call path is the import path of the call's root name followed by each
//! attribute, with `()` after every segment that was called:
//! `client = OpenAI(); client.chat.completions.create(…)` resolves to
//! `openai.OpenAI().chat.completions.create`.

use std::sync::LazyLock;

use regex::RegexSet;

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

/// Patterns compiled into one `RegexSet`; `owner[i]` is the catalogue entry of pattern `i`.
struct PatternSet {
    set: RegexSet,
    owner: Vec<usize>,
}

impl PatternSet {
    fn new(patterns: Vec<(String, usize)>) -> PatternSet {
        let (regexes, owner): (Vec<String>, Vec<usize>) = patterns.into_iter().unzip();
        let set = RegexSet::new(&regexes).unwrap_or_else(|_| RegexSet::empty());
        PatternSet { set, owner }
    }

    /// The first catalogue entry (in catalogue order) with a matching pattern.
    fn first(&self, path: &str) -> Option<usize> {
        if self.owner.is_empty() {
            return None;
        }
        self.set.matches(path).iter().map(|i| self.owner[i]).min()
    }

    fn all(&self, path: &str) -> impl Iterator<Item = usize> + '_ {
        self.set.matches(path).into_iter().map(|i| self.owner[i])
    }
}

/// Translates a catalogue glob into a regex body: `*` stays inside one
/// segment, `**` crosses segments, everything else is literal.
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

/// The anchored regex for a catalogue glob (also used for project sinks).
pub fn exact_pattern(pattern: &str) -> String {
    exact(pattern)
}

impl Resolver {
    fn new(catalogue: &'static Catalogue) -> Resolver {
        let mut sink_patterns = Vec::new();
        let mut fallback_patterns = Vec::new();
        let mut fallback_roots = Vec::new();
        for (i, sink) in catalogue.sinks.iter().enumerate() {
            for call in &sink.calls {
                sink_patterns.push((exact(call), i));
                if let Some((head, rest)) = call.split_once("().")
                    && rest.contains('.')
                    && !head.contains('*')
                {
                    let root = head.split('.').next().unwrap_or(head).to_string();
                    fallback_patterns.push((format!(r"(^|\.){}$", glob_body(rest)), i));
                    fallback_roots.push(root);
                }
            }
        }
        let sanitizer_patterns = catalogue
            .sanitizers
            .iter()
            .enumerate()
            .flat_map(|(i, s)| s.calls.iter().map(move |c| (exact(c), i)))
            .collect();
        let opaque_patterns = catalogue
            .opaque_calls
            .iter()
            .enumerate()
            .map(|(i, c)| (exact(c), i))
            .collect();
        // A loader's result and anything derived from it (`read_csv().dropna()`).
        let loader_patterns = catalogue
            .data_loaders
            .iter()
            .enumerate()
            .map(|(i, c)| (format!(r"^{}\(\)", glob_body(c)), i))
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
            .set
            .matches(path)
            .into_iter()
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
        self.loaders.all(path).next().is_some()
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

    #[test]
    fn globs_stay_within_segments() {
        let re = regex::Regex::new(&exact("sklearn.**().fit")).unwrap();
        assert!(re.is_match("sklearn.ensemble.RandomForestClassifier().fit"));
        assert!(!re.is_match("mylib.sklearn.X().fit"));
        let re = regex::Regex::new(&exact("langchain_*.Chat*().invoke")).unwrap();
        assert!(re.is_match("langchain_openai.ChatOpenAI().invoke"));
        assert!(!re.is_match("langchain_openai.chat.ChatOpenAI().invoke"));
    }
}
