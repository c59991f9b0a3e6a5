//! The AI privacy knowledge base: risks, legal hooks, provider terms and
//! mitigations, rendered as short Markdown for hovers and `explain`.

use crate::finding::SinkKind;

/// Short Markdown for a hover on an AI call: most important line first.
pub fn flow_explanation(kind: SinkKind, categories: &[String], provider: &str) -> String {
    let _ = (categories, provider);
    format!("Personal data reaches {}.", kind.describe())
}

/// Markdown about one fideslang data category. `None` if unknown.
pub fn category_explanation(category: &str) -> Option<String> {
    let _ = category;
    None
}

/// Markdown for a tag key in a hover. `None` if unknown.
pub fn tag_key_explanation(key: &str) -> Option<String> {
    let _ = key;
    None
}

/// Markdown for one AI risk by id. `None` if unknown.
pub fn risk_explanation(id: &str) -> Option<String> {
    let _ = id;
    None
}

/// Every risk id, in knowledge-base order.
pub fn risk_ids() -> Vec<&'static str> {
    Vec::new()
}
