//! privacy-lens: finds personal data flowing into AI training and inference calls.
//!
//! Data flows one way: text → syntax tree → facts → flows → findings → (CLI | LSP | report).

/// The LSP-free analysis: facts, classification, sink resolution, taint flow.
pub mod analysis;
/// Running the analysis over paths (walk, parallel scan, skipped files).
pub mod check;
/// Project configuration: privacy-lens.toml, pyproject.toml, editor settings; applied to findings.
pub mod config;
/// `check --diff BASE`: only the flows introduced since a git revision.
pub mod diff;
/// An open document: rope, version, language, tree; incremental edits and positions.
pub mod document;
/// Plain data describing what the analysis found (the findings contract).
pub mod finding;
/// Knowledge as data: fideslang taxonomy, vocabularies, sink catalogues.
pub mod knowledge;
/// Languages, file extensions, grammars and their queries.
pub mod language;
/// Writing requested output files: only where asked, atomically.
pub mod output;
/// Output formats: text, JSON, SARIF, GitHub annotations; the inventory (Markdown, HTML, JSON, Fides).
pub mod report;
/// One file per rule: code, name, default severity, message and documentation.
pub mod rules;
/// The language server (tower-lsp-server): the only code that knows LSP types.
pub mod server;
/// The cross-file index: module resolution and exported summaries.
pub mod workspace;
