use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL203",
    name: "orphaned-tag",
    default_severity: Severity::Warning,
    summary: "A data-use tag with no AI call under it",
    docs: include_str!("docs/PL203.md"),
};
