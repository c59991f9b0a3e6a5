//! Every fact query compiles against its grammar and uses only the capture
//! vocabulary documented in `queries/README.md`.

use privacy_lens::analysis::facts::{compile_query, is_known_capture, query_source};
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
fn every_scm_file_belongs_to_a_language() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("queries");
    for entry in std::fs::read_dir(&root).expect("queries/ exists").flatten() {
        if !entry.path().is_dir() {
            continue;
        }
        let lang = entry.file_name().to_string_lossy().to_string();
        for scm in std::fs::read_dir(entry.path()).expect("readable").flatten() {
            let text = std::fs::read_to_string(scm.path()).expect("utf-8 query");
            let language = Language::ALL
                .into_iter()
                .find(|l| l.name() == lang)
                .unwrap_or_else(|| panic!("queries/{lang} has no language"));
            assert_eq!(
                query_source(language),
                text,
                "{} is not the query the binary embeds",
                scm.path().display()
            );
        }
    }
}
