//! Micro-benchmarks of the analysis hot paths, one file at a time, through
//! the library's public API (`privacy_lens::analysis`):
//!
//! | bench | what it times |
//! | --- | --- |
//! | `parse` | tree-sitter parse of the text (the floor) |
//! | `facts` | `facts::extract`, then the fact of every node and the bindings of every import (as the engine asks) |
//! | `tags` | `tags::collect`: data-use tags in comments |
//! | `classify` | `Classifier::classify_name` on every identifier of the file |
//! | `flow` | `flow::Engine::run`: taint propagation, sinks, findings (facts and tags ready) |
//! | `analyze` | `analysis::analyze`: all of the above, as `check` runs it per file |
//!
//! ```sh
//! cargo bench --bench analysis                  # every bench, every input
//! cargo bench --bench analysis -- flow          # only benches whose name contains "flow"
//! ```
//!
//! Inputs: generated 5,000-line Python and TypeScript service modules (always
//! there), and, when the throughput corpus has been prepared
//! (`python3 benches/run.py --prepare-only`; cache in
//! `$PRIVACY_LENS_BENCH_CACHE`, else `~/.cache/privacy-lens-bench`), a few
//! large real files from it. Divan prints the time per call and the
//! throughput in bytes (and, for `classify`, names) per second.

#[path = "common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::LazyLock;
use std::time::Duration;

use divan::Bencher;
use divan::counter::{BytesCount, ItemsCount};
use privacy_lens::analysis::{self, AnalysisOptions, classify, facts, flow, tags};
use privacy_lens::language::Language;

fn main() {
    divan::main();
}

struct Input {
    name: &'static str,
    language: Language,
    text: String,
}

/// Real files from the corpus: (name, path under the cache), large and typical.
const REAL: &[(&str, &str)] = &[
    (
        "django-query.py",
        "python/Django-5.1.4/django/db/models/query.py",
    ),
    (
        "lc-vectorstore.py",
        "python/langchain-community-0.3.14/langchain_community/vectorstores/azuresearch.py",
    ),
    (
        "openai-responses.ts",
        "npm/openai-7.59.0/src/resources/responses/responses.ts",
    ),
    (
        "eslint-linter.js",
        "npm/eslint-10.15.0/lib/linter/linter.js",
    ),
    // 2,646 lines, most of them names in a few large import/export lists.
    (
        "anthropic-beta.ts",
        "npm/anthropic-ai-sdk-1.14.0/src/resources/beta/beta.ts",
    ),
];

fn cache_dir() -> PathBuf {
    std::env::var_os("PRIVACY_LENS_BENCH_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").unwrap_or_default())
                .join(".cache/privacy-lens-bench")
        })
}

static INPUTS: LazyLock<Vec<Input>> = LazyLock::new(|| {
    let mut inputs = vec![
        Input {
            name: "gen-5k.py",
            language: Language::Python,
            text: common::python(5000),
        },
        Input {
            name: "gen-5k.ts",
            language: Language::TypeScript,
            text: common::typescript(5000),
        },
    ];
    let cache = cache_dir();
    for (name, rel) in REAL {
        let path = cache.join(rel);
        if let (Ok(text), Some(language)) =
            (std::fs::read_to_string(&path), Language::from_path(&path))
        {
            inputs.push(Input {
                name,
                language,
                text,
            });
        }
    }
    inputs
});

/// Names for divan's `args`: every input, generated first.
fn names() -> Vec<&'static str> {
    INPUTS.iter().map(|i| i.name).collect()
}

fn input(name: &str) -> &'static Input {
    INPUTS.iter().find(|i| i.name == name).unwrap()
}

fn parsed(input: &Input) -> tree_sitter::Tree {
    analysis::parse(&input.text, input.language, None).expect("parse")
}

#[divan::bench(args = names())]
fn parse(bencher: Bencher, name: &str) {
    let input = input(name);
    bencher
        .counter(BytesCount::of_str(&input.text))
        .bench_local(|| analysis::parse(&input.text, input.language, None));
}

/// `facts::extract` is lazy (shallow patterns are answered from the node's
/// kind on demand, the query runs only on import statements when asked), so
/// the bench extracts and then asks for the fact of every node of the tree,
/// and for the bindings of every import statement, as the engine would.
#[divan::bench(args = names())]
fn facts(bencher: Bencher, name: &str) {
    let input = input(name);
    let tree = parsed(input);
    bencher
        .counter(BytesCount::of_str(&input.text))
        .bench_local(|| {
            let facts = facts::extract(&tree, input.text.as_bytes(), input.language);
            let (mut roles, mut imports) = (0usize, 0usize);
            for_each_node(&tree, |node| {
                if let Some(fact) = facts.get(node) {
                    roles += 1;
                    if fact.role == facts::Role::Import {
                        imports += facts.imports_at(node).len();
                    }
                }
            });
            (roles, imports)
        });
}

/// Pre-order walk of every node, without recursion.
fn for_each_node<'t>(tree: &'t tree_sitter::Tree, mut f: impl FnMut(tree_sitter::Node<'t>)) {
    let mut cursor = tree.walk();
    'walk: loop {
        f(cursor.node());
        if cursor.goto_first_child() {
            continue;
        }
        loop {
            if cursor.goto_next_sibling() {
                continue 'walk;
            }
            if !cursor.goto_parent() {
                break 'walk;
            }
        }
    }
}

#[divan::bench(args = names())]
fn tags(bencher: Bencher, name: &str) {
    let input = input(name);
    let tree = parsed(input);
    let facts = facts::extract(&tree, input.text.as_bytes(), input.language);
    bencher
        .counter(BytesCount::of_str(&input.text))
        .bench_local(|| {
            tags::collect(&tree, &input.text, |node| {
                facts.role(node) == Some(facts::Role::Comment)
            })
        });
}

/// Every identifier and property name of the file, in order (with repeats,
/// as the engine meets them).
fn identifiers(input: &Input) -> Vec<String> {
    let tree = parsed(input);
    let mut out = Vec::new();
    for_each_node(&tree, |node| {
        if node.child_count() == 0
            && node.kind().contains("identifier")
            && let Ok(text) = node.utf8_text(input.text.as_bytes())
        {
            out.push(text.to_owned());
        }
    });
    out
}

#[divan::bench(args = names())]
fn classify(bencher: Bencher, name: &str) {
    let input = input(name);
    let names = identifiers(input);
    let classifier = classify::get();
    bencher
        .counter(ItemsCount::new(names.len()))
        .bench_local(|| {
            let mut hits = 0usize;
            for name in &names {
                hits += classifier.classify_name(name, false).is_some() as usize;
            }
            hits
        });
}

/// Facts are extracted afresh for each call (untimed): they memoise import
/// bindings on first use, and that first use is part of the flow's cost.
#[divan::bench(args = names())]
fn flow(bencher: Bencher, name: &str) {
    let input = input(name);
    let tree = parsed(input);
    let file_tags = {
        let facts = facts::extract(&tree, input.text.as_bytes(), input.language);
        tags::collect(&tree, &input.text, |node| {
            facts.role(node) == Some(facts::Role::Comment)
        })
    };
    let extensions = analysis::Extensions::default();
    bencher
        .counter(BytesCount::of_str(&input.text))
        .with_inputs(|| facts::extract(&tree, input.text.as_bytes(), input.language))
        .bench_local_values(|facts| {
            flow::Engine::new(
                &input.text,
                &facts,
                &file_tags,
                input.language,
                &extensions,
                Duration::from_secs(60),
                &analysis::summary::NoModules,
            )
            .run(tree.root_node())
        });
}

#[divan::bench(args = names())]
fn analyze(bencher: Bencher, name: &str) {
    let input = input(name);
    let options = AnalysisOptions::default();
    bencher
        .counter(BytesCount::of_str(&input.text))
        .bench_local(|| analysis::analyze(&input.text, input.language, &options));
}

/// `analysis::incremental::analyse` after one character typed in a function
/// body in the middle of the generated services (reparse not included): what
/// the editor pays per keystroke, against `analyze` of the whole file.
#[divan::bench(args = ["gen-5k.py", "gen-5k.ts"])]
fn keystroke(bencher: Bencher, name: &str) {
    use privacy_lens::analysis::incremental;
    use privacy_lens::analysis::summary::NoModules;
    let input = input(name);
    let options = AnalysisOptions::default();
    let text = &input.text;
    let middle = text.len() / 2;
    let at = middle + text[middle..].find("You are a support agent.").unwrap_or(0) + 4;
    let typed = format!("{}x{}", &text[..at], &text[at..]);
    let trees = [
        analysis::parse(text, input.language, None).expect("parses"),
        analysis::parse(&typed, input.language, None).expect("parses"),
    ];
    let texts = [text.as_str(), typed.as_str()];
    let mut snapshot =
        incremental::analyse(text, &trees[0], input.language, &options, &NoModules, None).snapshot;
    let mut which = 0;
    bencher
        .counter(BytesCount::of_str(text))
        .bench_local(move || {
            which = 1 - which;
            let analysed = incremental::analyse(
                texts[which],
                &trees[which],
                input.language,
                &options,
                &NoModules,
                Some(&snapshot),
            );
            snapshot = analysed.snapshot;
            analysed.units_analysed
        });
}
