use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL140",
    name: "denied-by-policy",
    default_severity: Severity::Error,
    summary: "A flow the project's policy denies",
    docs: include_str!("docs/PL140.md"),
};
