use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL104",
    name: "personal-data-to-vector-store",
    default_severity: Severity::Warning,
    summary: "Personal data is written to a vector store",
    docs: include_str!("docs/PL104.md"),
};
