//! Checks call paths against a language's sink catalogue (shared by the
//! Python and JavaScript knowledge tests).

use privacy_lens::analysis::sinks::Resolver;
use privacy_lens::finding::SinkKind;

/// What is wrong with how `resolver` resolves `expected` (path, kind, API)
/// and `lookalikes` (paths that must not be AI calls); empty when all is right.
pub fn resolution_problems(
    resolver: &Resolver,
    expected: &[(&str, SinkKind, &str)],
    lookalikes: &[&str],
) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, kind, api) in expected {
        match resolver.sink(path) {
            Some(s) if s.kind == *kind && s.api == *api => {}
            Some(s) => problems.push(format!(
                "{path}: expected {} `{api}`, got {} `{}`",
                kind.as_str(),
                s.kind.as_str(),
                s.api
            )),
            None => problems.push(format!(
                "{path}: no sink (expected {} `{api}`)",
                kind.as_str()
            )),
        }
    }
    for path in lookalikes {
        if let Some(s) = resolver.sink(path) {
            problems.push(format!("{path} is not an AI call, matched `{}`", s.api));
        }
    }
    problems
}
