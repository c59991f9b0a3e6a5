//! Project additions from configuration reach the engine: extra sources,
//! extra sinks and extra sanitizers change what the analysis finds.

use std::sync::Arc;

use privacy_lens::analysis::{AnalysisOptions, Extensions, analyze};
use privacy_lens::finding::SinkKind;
use privacy_lens::language::Language;

const CODE: &str = r#"
from acme_ml.client import Predictor
from acme.privacy import redact

predictor = Predictor()

def score(account):
    nickname = account.member_nickname
    predictor.predict(nickname)
    predictor.predict(redact(nickname))
"#;

fn options(extensions: Extensions) -> AnalysisOptions {
    AnalysisOptions {
        extensions: Arc::new(extensions),
        ..AnalysisOptions::default()
    }
}

#[test]
fn without_extensions_nothing_is_known() {
    let analysis = analyze(CODE, Language::Python, &AnalysisOptions::default());
    assert!(analysis.findings.is_empty(), "{:?}", analysis.findings);
}

#[test]
fn extra_source_and_sink_make_a_flow_and_the_sanitizer_clears_it() {
    let extensions = Extensions {
        sources: vec![("member_nickname".into(), "user.name".into())],
        sinks: vec![(
            "acme_ml.client.Predictor().predict".into(),
            SinkKind::LocalInference,
        )],
        sanitizers: vec!["acme.privacy.redact".into()],
    };
    let analysis = analyze(CODE, Language::Python, &options(extensions));
    let found: Vec<_> = analysis
        .findings
        .iter()
        .map(|f| (f.code, f.span.start.row + 1, f.categories.clone()))
        .collect();
    // Line 9 sends the nickname; line 10 sends it redacted.
    assert_eq!(found, [("PL102", 9, vec!["user.name".to_string()])]);
}
