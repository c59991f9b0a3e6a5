use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL101",
    name: "personal-data-to-llm",
    default_severity: Severity::Warning,
    summary: "Personal data is sent to a hosted LLM",
    docs: include_str!("docs/PL101.md"),
};
