use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL201",
    name: "tag-missing-categories",
    default_severity: Severity::Warning,
    summary: "The data-use tag does not declare every category that reaches the call",
    docs: include_str!("docs/PL201.md"),
};
