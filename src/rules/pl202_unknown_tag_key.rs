use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL202",
    name: "unknown-tag-key",
    default_severity: Severity::Warning,
    summary: "A tag names a key that is not in the taxonomy",
    docs: include_str!("docs/PL202.md"),
};
