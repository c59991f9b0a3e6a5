//! Every fact query compiles against its grammar and uses only the capture
//! vocabulary documented in `queries/README.md`.

use privacy_lens::analysis::facts::{compile_query, is_known_capture, query_file, query_source};
use privacy_lens::language::Language;

#[test]
fn every_query_compiles_with_known_captures() {
    for language in Language::ALL {
        if let Err(e) = compile_query(language) {
            panic!("queries for {} do not compile: {e}", language.name());
        }
        let query = tree_sitter::Query::new(&language.grammar(), query_source(language))
            .expect("compiled above");
        for name in query.capture_names() {
            assert!(
                is_known_capture(name),
                "{}: capture @{name} is not in the vocabulary of queries/README.md",
                language.name()
            );
        }
    }
}

#[test]
fn every_scm_file_is_embedded_and_used() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    for entry in std::fs::read_dir(&root).expect("queries/ exists").flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        let folder = entry.file_name().to_string_lossy().to_string();
        let text = std::fs::read_to_string(entry.path().join("facts.scm")).expect("utf-8 query");
        assert_eq!(
            query_file(&folder),
            Some(text.as_str()),
            "queries/{folder}/facts.scm is not the query the binary embeds"
        );
        // Every file, bases included, ends up in some language's query.
        assert!(
            Language::ALL
                .iter()
                .any(|l| query_source(*l).contains(&text)),
            "queries/{folder}/facts.scm is not used by any language"
        );
    }
}

#[test]
fn inherited_bases_come_first() {
    let base = query_file("_javascript").expect("base");
    for language in [Language::JavaScript, Language::TypeScript, Language::Tsx] {
        let source = query_source(language);
        assert!(
            source.starts_with(base),
            "{} does not start with its base",
            language.name()
        );
        // The fallbacks of the language's own file come after the base.
        assert!(source.rfind("] @name") > source.find("(call_expression"));
    }
}

/// Patterns the shallow fast path cannot answer make the query walk every
/// tree; only import statements may need the query (they are matched one
/// statement at a time).
#[test]
fn no_language_needs_a_whole_tree_query_run() {
    for language in Language::ALL {
        assert!(
            !privacy_lens::analysis::facts::needs_full_run(language),
            "{}: a pattern other than imports is not shallow",
            language.name()
        );
    }
}
