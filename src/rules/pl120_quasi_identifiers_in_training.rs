use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL120",
    name: "quasi-identifiers-in-training",
    default_severity: Severity::Warning,
    summary: "A combination of quasi-identifiers enters training or an upload",
    docs: include_str!("docs/PL120.md"),
};
