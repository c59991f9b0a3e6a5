//! Re-analysing only the edited function gives exactly what analysing the
//! whole file gives: random edits to generated services and to every
//! fixture, each re-analysed both ways.

#[path = "../benches/common/mod.rs"]
mod common;

use std::path::Path;

use privacy_lens::analysis::incremental::{self, Analysed, Snapshot};
use privacy_lens::analysis::summary::NoModules;
use privacy_lens::analysis::{self, AnalysisOptions};
use privacy_lens::language::Language;

/// Snippets typed into function bodies: plain characters, personal data,
/// AI calls, tags, and text that breaks the syntax for a while.
const INSERTIONS: &[&str] = &[
    "x",
    " ",
    "\n",
    "(",
    "\"",
    "email",
    " + user.email",
    "\n    note = patient.diagnosis\n",
    "\n    client.chat.completions.create(messages=[{\"role\": \"user\", \"content\": user.email}])\n",
    "\n    # @data-use train_ai_system data=user.contact.email\n",
    "\n    # @not-personal-data\n",
    "\n    def inner(v):\n        return v.phone_number\n",
    "\n    self.history = user.email\n",
    "\n    import openai\n",
    "return user.date_of_birth\n    ",
    "{",
    "}",
];

/// A small deterministic generator (xorshift), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn analyse(text: &str, language: Language, previous: Option<&Snapshot>) -> Analysed {
    analyse_with(text, language, &NoModules, previous)
}

fn analyse_with(
    text: &str,
    language: Language,
    provider: &dyn privacy_lens::analysis::summary::ModuleProvider,
    previous: Option<&Snapshot>,
) -> Analysed {
    let tree = analysis::parse(text, language, None).expect("parses");
    incremental::analyse(
        text,
        &tree,
        language,
        &AnalysisOptions::default(),
        provider,
        previous,
    )
}

/// One random edit: an insertion or a deletion of a few characters,
/// mostly inside function bodies (after an indented line start).
fn edit(text: &str, rng: &mut Rng) -> String {
    let lines: Vec<usize> = text
        .char_indices()
        .filter(|(i, c)| *c == '\n' && text[i + 1..].starts_with("    "))
        .map(|(i, _)| i + 5)
        .collect();
    let mut at = if lines.is_empty() || rng.below(5) == 0 {
        rng.below(text.len() + 1)
    } else {
        lines[rng.below(lines.len())] + rng.below(20)
    };
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    if rng.below(3) == 0 && at < text.len() {
        let mut end = (at + 1 + rng.below(6)).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        format!("{}{}", &text[..at], &text[end..])
    } else {
        let snippet = INSERTIONS[rng.below(INSERTIONS.len())];
        format!("{}{snippet}{}", &text[..at], &text[at..])
    }
}

/// Applies `edits` random edits to `text`, re-analysing incrementally after
/// each and comparing with a whole-file analysis. Returns how many
/// re-analyses left units out.
fn check_edits(name: &str, text: &str, language: Language, edits: usize, seed: u64) -> usize {
    let mut rng = Rng(seed | 1);
    let mut text = text.to_string();
    let mut snapshot = analyse(&text, language, None).snapshot;
    let mut partial = 0;
    for round in 0..edits {
        text = edit(&text, &mut rng);
        let incremental = analyse(&text, language, Some(&snapshot));
        let whole = analyse(&text, language, None);
        let context = || format!("{name}, edit {round} (seed {seed})\n--- text ---\n{text}");
        assert_eq!(
            incremental.analysis.findings,
            whole.analysis.findings,
            "findings differ: {}",
            context()
        );
        assert_eq!(
            incremental.analysis.recognised_sinks,
            whole.analysis.recognised_sinks,
            "recognised AI calls differ: {}",
            context()
        );
        assert_eq!(
            incremental.analysis.notes,
            whole.analysis.notes,
            "notes differ: {}",
            context()
        );
        if incremental.units_analysed < incremental.units_total {
            partial += 1;
        }
        snapshot = incremental.snapshot;
    }
    partial
}

#[test]
fn edits_in_a_generated_python_service_match_whole_file_analysis() {
    let text = common::python(600);
    let partial = check_edits("generated python", &text, Language::Python, 120, 7);
    // Most edits land in one function: they must not re-analyse everything.
    assert!(
        partial >= 25,
        "only {partial} of 120 edits were re-analysed partially"
    );
}

#[test]
fn edits_in_a_generated_typescript_service_match_whole_file_analysis() {
    let text = common::typescript(600);
    let partial = check_edits("generated typescript", &text, Language::TypeScript, 120, 11);
    assert!(
        partial >= 30,
        "only {partial} of 120 edits were re-analysed partially"
    );
}

#[test]
fn edits_in_every_fixture_match_whole_file_analysis() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixture folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(language) = Language::from_path(&path) {
                files.push((path, language));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(files.len() > 100, "fixtures found: {}", files.len());
    let mut partial = 0;
    for (i, (path, language)) in files.iter().enumerate() {
        let text = std::fs::read_to_string(path).expect("fixture text");
        partial += check_edits(
            &path.display().to_string(),
            &text,
            *language,
            12,
            i as u64 + 3,
        );
    }
    assert!(partial > 0, "no fixture edit was re-analysed partially");
}

#[test]
fn the_same_text_again_reuses_the_analysis() {
    let text = common::python(200);
    let first = analyse(&text, Language::Python, None);
    let again = analyse(&text, Language::Python, Some(&first.snapshot));
    assert_eq!(again.units_analysed, 0);
    assert_eq!(again.analysis.findings, first.analysis.findings);
    assert!(!first.analysis.findings.is_empty());
}

/// Typing in a function body that does not change what the function does
/// for others (a string, a comment, a new local line) re-analyses a handful
/// of units, not the file, and still finds what the whole file has.
#[test]
fn typing_in_one_function_re_analyses_only_its_unit() {
    for (language, text, anchor) in [
        (
            Language::Python,
            common::python(2000),
            "You are a support agent.",
        ),
        (
            Language::TypeScript,
            common::typescript(2000),
            "You are a support agent.",
        ),
    ] {
        let first = analyse(&text, language, None);
        assert!(first.units_total > 100, "units: {}", first.units_total);
        let at = text.len() / 2 + text[text.len() / 2..].find(anchor).expect("anchor") + 4;
        let mut snapshot = first.snapshot;
        let mut typed = text.clone();
        for (i, c) in "kind ".chars().enumerate() {
            typed.insert(at + i, c);
            let incremental = analyse(&typed, language, Some(&snapshot));
            let whole = analyse(&typed, language, None);
            assert_eq!(incremental.analysis.findings, whole.analysis.findings);
            assert!(
                incremental.units_analysed <= 3,
                "{language:?}: {} of {} units analysed after typing {c:?}",
                incremental.units_analysed,
                incremental.units_total
            );
            snapshot = incremental.snapshot;
        }
    }
}

/// A provider for a file that other files import (its summary is wanted)
/// or, with `false`, one nothing imports yet.
struct Imported(std::sync::Arc<Path>, bool);

impl privacy_lens::analysis::summary::ModuleProvider for Imported {
    fn file(&self) -> Option<std::sync::Arc<Path>> {
        Some(self.0.clone())
    }
    fn wants_summary(&self) -> bool {
        self.1
    }
    fn module(
        &self,
        _spec: &str,
    ) -> Option<std::sync::Arc<privacy_lens::analysis::summary::ModuleSummary>> {
        None
    }
}

mod same {
    //! Summaries compared by content (their shared pointers differ between runs).
    use privacy_lens::analysis::summary::*;

    pub fn summary(a: &ModuleSummary, b: &ModuleSummary) -> bool {
        a.fingerprint == b.fingerprint
            && a.exports.len() == b.exports.len()
            && a.exports
                .iter()
                .all(|(k, v)| b.exports.get(k).is_some_and(|w| value(v, w, 0)))
    }
    fn value(a: &ExtValue, b: &ExtValue, depth: usize) -> bool {
        a.labels == b.labels && origin(&a.origin, &b.origin, depth)
    }
    fn origin(a: &ExtOrigin, b: &ExtOrigin, depth: usize) -> bool {
        if depth > 6 {
            return true;
        }
        match (a, b) {
            (ExtOrigin::Function(f), ExtOrigin::Function(g)) => function(f, g, depth),
            (ExtOrigin::Class(c), ExtOrigin::Class(d))
            | (ExtOrigin::Instance(c), ExtOrigin::Instance(d)) => class(c, d, depth),
            (ExtOrigin::Module(m, s), ExtOrigin::Module(n, t)) => {
                m.fingerprint == n.fingerprint && s == t
            }
            (a, b) => a == b,
        }
    }
    fn function(f: &ExtFunction, g: &ExtFunction, depth: usize) -> bool {
        f.name == g.name
            && f.params == g.params
            && f.takes_self == g.takes_self
            && f.returns == g.returns
            && f.returns_params == g.returns_params
            && origin(&f.return_origin, &g.return_origin, depth + 1)
            && f.param_sinks == g.param_sinks
            && f.field_sinks == g.field_sinks
            && f.sanitizer == g.sanitizer
            && f.ai_sink == g.ai_sink
    }
    fn class(c: &ExtClass, d: &ExtClass, depth: usize) -> bool {
        c.name == d.name
            && c.methods.len() == d.methods.len()
            && c.methods
                .iter()
                .all(|(k, f)| d.methods.get(k).is_some_and(|g| function(f, g, depth + 1)))
            && c.fields.len() == d.fields.len()
            && c.fields
                .iter()
                .all(|(k, v)| d.fields.get(k).is_some_and(|w| value(v, w, depth + 1)))
    }
}

/// In a module other files import, the summary a partial re-analysis hands
/// to importers is the one a whole-file analysis exports.
#[test]
fn an_imported_module_exports_the_same_summary_after_partial_re_analysis() {
    let file: std::sync::Arc<Path> = Path::new("/project/service.py").into();
    let provider = Imported(file, true);
    let run = |text: &str, previous: Option<&Snapshot>| {
        analyse_with(text, Language::Python, &provider, previous)
    };
    let mut rng = Rng(99);
    let mut text = common::python(400);
    let mut snapshot = run(&text, None).snapshot;
    let mut partial = 0;
    for round in 0..80 {
        text = edit(&text, &mut rng);
        let incremental = run(&text, Some(&snapshot));
        let whole = run(&text, None);
        assert_eq!(
            incremental.analysis.findings, whole.analysis.findings,
            "edit {round}"
        );
        let (Some(a), Some(b)) = (&incremental.summary, &whole.summary) else {
            panic!("edit {round}: a summary is missing");
        };
        assert!(
            same::summary(a, b),
            "edit {round}: summaries differ\n{text}"
        );
        if incremental.units_analysed < incremental.units_total {
            partial += 1;
        }
        snapshot = incremental.snapshot;
    }
    assert!(partial >= 15, "only {partial} of 80 edits were partial");
}

/// A file only becomes imported later (the editor learns of an importer):
/// while nothing imports it, keystrokes do not carry its summary along, and
/// the first keystroke after an importer appears hands on the summary a
/// whole-file analysis exports.
#[test]
fn a_module_that_becomes_imported_gets_its_summary_back() {
    let file: std::sync::Arc<Path> = Path::new("/project/service.py").into();
    let run = |text: &str, previous: Option<&Snapshot>, wanted: bool| {
        analyse_with(
            text,
            Language::Python,
            &Imported(file.clone(), wanted),
            previous,
        )
    };
    let text = common::python(400);
    // Opened while it had no summary in the index: the summary is exported.
    let opened = run(&text, None, true);
    assert!(opened.summary.is_some());
    // A keystroke while nothing imports it: partial, and no summary moved.
    let at = text.find("You are a support agent.").expect("anchor") + 4;
    let mut typed = text.clone();
    typed.insert(at, 'x');
    let unwanted = run(&typed, Some(&opened.snapshot), false);
    assert!(
        unwanted.units_analysed < unwanted.units_total,
        "a keystroke in one function is analysed partially"
    );
    assert!(unwanted.summary.is_none());
    // The next keystroke, now that an importer wants the summary.
    typed.insert(at + 1, 'y');
    let wanted = run(&typed, Some(&unwanted.snapshot), true);
    assert_eq!(
        wanted.units_analysed, wanted.units_total,
        "no summary was carried along: the whole file is analysed"
    );
    let whole = run(&typed, None, true);
    assert_eq!(wanted.analysis.findings, whole.analysis.findings);
    let (Some(a), Some(b)) = (&wanted.summary, &whole.summary) else {
        panic!("the importer gets no summary");
    };
    assert!(same::summary(a, b), "the summary is the whole-file export");
}
