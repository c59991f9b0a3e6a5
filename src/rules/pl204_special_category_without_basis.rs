use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL204",
    name: "special-category-without-basis",
    default_severity: Severity::Warning,
    summary: "A tag declares special-category data without a legal basis",
    docs: include_str!("docs/PL204.md"),
};
