use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL103",
    name: "personal-data-to-embedding",
    default_severity: Severity::Warning,
    summary: "Personal data is embedded",
    docs: include_str!("docs/PL103.md"),
};
