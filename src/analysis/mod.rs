//! The LSP-free analysis. Takes text, returns plain data, never panics and
//! never gives up on half-typed code.
//!
//! text → tree-sitter tree → [`facts`] (roles from `queries/<lang>/*.scm`)
//! → [`flow`] (taint propagation with [`classify`] and [`sinks`]) → findings.

pub mod classify;
pub mod facts;
pub mod flow;
pub mod incremental;
pub mod sinks;
pub mod summary;
pub mod tags;

use std::cell::RefCell;
use std::time::Duration;

use crate::finding::{AnalysisNote, FileAnalysis};
use crate::language::Language;

/// Settings that change what the analysis does.
#[derive(Debug, Clone)]
pub struct AnalysisOptions {
    /// Wall-clock budget for the flow analysis of one file.
    pub time_limit: Duration,
    /// Project additions to the built-in knowledge (from configuration).
    pub extensions: std::sync::Arc<Extensions>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        AnalysisOptions {
            time_limit: Duration::from_secs(10),
            extensions: std::sync::Arc::default(),
        }
    }
}

/// What a project adds to the built-in vocabulary and catalogue.
#[derive(Debug, Clone, Default)]
pub struct Extensions {
    /// Name patterns (tokens in snake_case, as in the vocabulary) and the
    /// category they stand for; they count as strong terms.
    pub sources: Vec<(String, String)>,
    /// Call patterns (catalogue globs) and the kind of AI call they are.
    pub sinks: Vec<(String, crate::finding::SinkKind)>,
    /// Call patterns whose result carries no personal data.
    pub sanitizers: Vec<String>,
}

thread_local! {
    /// One parser per thread and language: parsers need `&mut` and are cheap to keep.
    static PARSERS: RefCell<Vec<(Language, tree_sitter::Parser)>> = const { RefCell::new(Vec::new()) };
}

/// Parses text with the thread's parser for `language`.
pub fn parse(
    text: &str,
    language: Language,
    old_tree: Option<&tree_sitter::Tree>,
) -> Option<tree_sitter::Tree> {
    PARSERS.with(|parsers| {
        let mut parsers = parsers.borrow_mut();
        let index = match parsers.iter().position(|(l, _)| *l == language) {
            Some(i) => i,
            None => {
                let mut parser = tree_sitter::Parser::new();
                parser.set_language(&language.grammar()).ok()?;
                parsers.push((language, parser));
                parsers.len() - 1
            }
        };
        parsers[index].1.parse(text, old_tree)
    })
}

/// Analyses one file's text.
pub fn analyze(text: &str, language: Language, options: &AnalysisOptions) -> FileAnalysis {
    let Some(tree) = parse(text, language, None) else {
        return FileAnalysis {
            notes: vec![AnalysisNote {
                message: "the parser gave up on this file".into(),
            }],
            ..FileAnalysis::default()
        };
    };
    analyze_tree(text, &tree, language, options)
}

/// Analyses text whose tree is already parsed (the language server keeps trees).
pub fn analyze_tree(
    text: &str,
    tree: &tree_sitter::Tree,
    language: Language,
    options: &AnalysisOptions,
) -> FileAnalysis {
    analyze_module_tree(text, tree, language, options, &summary::NoModules).0
}

/// Analyses one file of a workspace: imports of local modules are resolved
/// through `provider`, and the file's own summary is returned for importers
/// (when the provider names the file).
pub fn analyze_module(
    text: &str,
    language: Language,
    options: &AnalysisOptions,
    provider: &dyn summary::ModuleProvider,
) -> (FileAnalysis, Option<summary::ModuleSummary>) {
    let mut tree = None;
    analyze_module_reusing(text, language, options, provider, &mut tree)
}

/// A file's syntax tree with the import statements its analysis matched:
/// what a workspace build keeps of a file it may analyse again.
pub struct Parsed {
    tree: tree_sitter::Tree,
    imports: facts::ImportCache,
}

/// [`analyze_module`] with the file's tree kept in `parsed` (parsed when it
/// is empty): a workspace build analyses files of an import cycle again
/// without parsing them or matching their imports again.
pub fn analyze_module_reusing(
    text: &str,
    language: Language,
    options: &AnalysisOptions,
    provider: &dyn summary::ModuleProvider,
    parsed: &mut Option<Parsed>,
) -> (FileAnalysis, Option<summary::ModuleSummary>) {
    if parsed.is_none() {
        *parsed = parse(text, language, None).map(|tree| Parsed {
            tree,
            imports: facts::ImportCache::default(),
        });
    }
    let Some(parsed) = parsed.as_mut() else {
        return (
            FileAnalysis {
                notes: vec![AnalysisNote {
                    message: "the parser gave up on this file".into(),
                }],
                ..FileAnalysis::default()
            },
            None,
        );
    };
    let imports = std::mem::take(&mut parsed.imports);
    let (result, imports) = with_engine_reusing(
        text,
        &parsed.tree,
        language,
        options,
        provider,
        imports,
        |engine| engine.run(parsed.tree.root_node()),
    );
    parsed.imports = imports;
    result
}

/// [`analyze_module`] on a tree that is already parsed.
pub fn analyze_module_tree(
    text: &str,
    tree: &tree_sitter::Tree,
    language: Language,
    options: &AnalysisOptions,
    provider: &dyn summary::ModuleProvider,
) -> (FileAnalysis, Option<summary::ModuleSummary>) {
    with_engine(text, tree, language, options, provider, |engine| {
        engine.run(tree.root_node())
    })
}

/// Extracts the facts and tags of a parsed file and hands `run` a flow
/// engine over them (in whatever mode it sets).
pub(crate) fn with_engine<'t, R>(
    text: &'t str,
    tree: &'t tree_sitter::Tree,
    language: Language,
    options: &AnalysisOptions,
    provider: &dyn summary::ModuleProvider,
    run: impl for<'a> FnOnce(flow::Engine<'a, 't>) -> R,
) -> R {
    let (result, _) = with_engine_reusing(
        text,
        tree,
        language,
        options,
        provider,
        facts::ImportCache::default(),
        run,
    );
    result
}

/// [`with_engine`] that reuses earlier import matches and returns them.
fn with_engine_reusing<'t, R>(
    text: &'t str,
    tree: &'t tree_sitter::Tree,
    language: Language,
    options: &AnalysisOptions,
    provider: &dyn summary::ModuleProvider,
    imports: facts::ImportCache,
    run: impl for<'a> FnOnce(flow::Engine<'a, 't>) -> R,
) -> (R, facts::ImportCache) {
    let facts = facts::extract_reusing(tree, text.as_bytes(), language, imports);
    let tags = tags::collect(tree, text, |node| {
        facts.role(node) == Some(facts::Role::Comment)
    });
    let engine = flow::Engine::new(
        text,
        &facts,
        &tags,
        language,
        &options.extensions,
        options.time_limit,
        provider,
    );
    let result = run(engine);
    (result, facts.into_import_cache())
}
