//! Deeply nested input never overflows the stack, even on the 2 MiB
//! threads the language server and rayon analyse on.

use privacy_lens::analysis::{AnalysisOptions, analyze};
use privacy_lens::language::Language;

fn analyse_on_small_stack(text: String, language: Language) -> privacy_lens::finding::FileAnalysis {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || analyze(&text, language, &AnalysisOptions::default()))
        .expect("thread starts")
        .join()
        .expect("analysis did not overflow the stack")
}

#[test]
fn nested_calls_and_brackets_are_cut_off_with_a_note() {
    let depth = 50_000;
    let python = format!(
        "from openai import OpenAI\nclient = OpenAI()\nx = {}user.email{}\nclient.chat.completions.create(messages=x)\n",
        "f(".repeat(depth),
        ")".repeat(depth)
    );
    let analysis = analyse_on_small_stack(python, Language::Python);
    assert!(
        analysis
            .notes
            .iter()
            .any(|n| n.message.contains("nested deeper")),
        "{:?}",
        analysis.notes
    );
    let javascript = format!("const x = {}1{};\n", "[".repeat(depth), "]".repeat(depth));
    let analysis = analyse_on_small_stack(javascript, Language::JavaScript);
    assert!(
        analysis
            .notes
            .iter()
            .any(|n| n.message.contains("nested deeper"))
    );
}

#[test]
fn nesting_within_the_limit_is_followed() {
    let python = format!(
        "from openai import OpenAI\nclient = OpenAI()\nx = {}user.email{}\nclient.chat.completions.create(messages=x)\n",
        "(".repeat(100),
        ")".repeat(100)
    );
    let analysis = analyse_on_small_stack(python, Language::Python);
    assert_eq!(analysis.findings.len(), 1, "{:?}", analysis.findings);
}
