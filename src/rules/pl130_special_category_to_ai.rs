use super::Rule;
use crate::finding::Severity;

pub static RULE: Rule = Rule {
    code: "PL130",
    name: "special-category-to-ai",
    default_severity: Severity::Error,
    summary: "Special-category personal data (GDPR Art. 9) reaches an AI call",
    docs: include_str!("docs/PL130.md"),
};
