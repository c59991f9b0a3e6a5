//! privacy-lens: finds personal data flowing into AI training and inference calls.
//!
//! Data flows one way: text → syntax tree → facts → flows → findings → (CLI | LSP | report).

/// The LSP-free analysis: facts, classification, sink resolution, taint flow.
pub mod analysis;
/// Running the analysis over paths (walk, parallel scan, skipped files).
pub mod check;
/// Project configuration: privacy-lens.toml, pyproject.toml, editor settings; applied to findings.
pub mod config;
/// Plain data describing what the analysis found (the findings contract).
pub mod finding;
/// Knowledge as data: fideslang taxonomy, vocabularies, sink catalogues.
pub mod knowledge;
/// Languages, file extensions, grammars and their queries.
pub mod language;
/// Output formats: human text with code frames and the JSON contract.
pub mod report;
/// One file per rule: code, name, default severity, message and documentation.
pub mod rules;
