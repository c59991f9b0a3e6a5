use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL107",
    name: "personal-data-in-dataset-upload",
    default_severity: Severity::Warning,
    summary: "Personal data is uploaded as a dataset or file",
    docs: include_str!("docs/PL107.md"),
};
