//! The LSP-free analysis. Takes text, returns plain data, never panics and
//! never gives up on half-typed code.

use crate::finding::FileAnalysis;
use crate::language::Language;

/// Settings that change what the analysis reports.
#[derive(Debug, Clone, Default)]
pub struct AnalysisOptions {}

/// Analyses one file's text.
pub fn analyze(_text: &str, _language: Language, _options: &AnalysisOptions) -> FileAnalysis {
    FileAnalysis::default()
}
