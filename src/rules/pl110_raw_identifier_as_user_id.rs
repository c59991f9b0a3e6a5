use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL110",
    name: "raw-identifier-as-user-id",
    default_severity: Severity::Warning,
    summary: "A raw personal identifier is sent in a provider's user-id field",
    docs: include_str!("docs/PL110.md"),
};
