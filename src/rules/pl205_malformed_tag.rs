use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL205",
    name: "malformed-tag",
    default_severity: Severity::Warning,
    summary: "A tag that cannot be parsed",
    docs: include_str!("docs/PL205.md"),
};
