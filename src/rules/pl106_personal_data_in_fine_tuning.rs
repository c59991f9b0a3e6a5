use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL106",
    name: "personal-data-in-fine-tuning",
    default_severity: Severity::Warning,
    summary: "Personal data is used to fine-tune a model",
    docs: include_str!("docs/PL106.md"),
};
