use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL105",
    name: "personal-data-in-training",
    default_severity: Severity::Warning,
    summary: "Personal data is used to train a model",
    docs: include_str!("docs/PL105.md"),
};
