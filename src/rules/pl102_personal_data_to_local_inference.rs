use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL102",
    name: "personal-data-to-local-inference",
    default_severity: Severity::Warning,
    summary: "Personal data is passed to local model inference",
    docs: include_str!("docs/PL102.md"),
};
