//! The plain data a file analysis produces. Everything here is LSP-free and
//! serialisable; `report::json` turns it into the public JSON contract.

use serde::Serialize;

/// A byte range in one file plus the tree-sitter points at both ends
/// (row 0-based, column in bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Span {
    pub start_byte: usize,
    pub end_byte: usize,
    pub start: Point,
    pub end: Point,
}

/// 0-based row and 0-based byte column, as tree-sitter counts them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Point {
    pub row: usize,
    pub column: usize,
}

impl From<tree_sitter::Point> for Point {
    fn from(p: tree_sitter::Point) -> Self {
        Point {
            row: p.row,
            column: p.column,
        }
    }
}

impl Span {
    pub fn of(node: &tree_sitter::Node) -> Self {
        Span {
            start_byte: node.start_byte(),
            end_byte: node.end_byte(),
            start: node.start_position().into(),
            end: node.end_position().into(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text.to_ascii_lowercase().as_str() {
            "hint" => Some(Severity::Hint),
            "info" | "information" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// What an AI call does with the data it receives.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum SinkKind {
    LlmInference,
    LocalInference,
    Embedding,
    VectorStore,
    Training,
    FineTuning,
    DatasetUpload,
}

impl SinkKind {
    pub const ALL: [SinkKind; 7] = [
        SinkKind::LlmInference,
        SinkKind::LocalInference,
        SinkKind::Embedding,
        SinkKind::VectorStore,
        SinkKind::Training,
        SinkKind::FineTuning,
        SinkKind::DatasetUpload,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SinkKind::LlmInference => "llm_inference",
            SinkKind::LocalInference => "local_inference",
            SinkKind::Embedding => "embedding",
            SinkKind::VectorStore => "vector_store",
            SinkKind::Training => "training",
            SinkKind::FineTuning => "fine_tuning",
            SinkKind::DatasetUpload => "dataset_upload",
        }
    }

    pub fn parse(text: &str) -> Option<SinkKind> {
        SinkKind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Human wording used in messages ("hosted LLM inference", …).
    pub fn describe(self) -> &'static str {
        match self {
            SinkKind::LlmInference => "an LLM inference call",
            SinkKind::LocalInference => "local model inference",
            SinkKind::Embedding => "an embedding call",
            SinkKind::VectorStore => "a vector store",
            SinkKind::Training => "model training",
            SinkKind::FineTuning => "fine-tuning",
            SinkKind::DatasetUpload => "a dataset upload",
        }
    }
}

/// The AI call a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sink {
    pub kind: SinkKind,
    /// Catalogue name of the API, e.g. `openai.chat.completions.create`.
    pub api: String,
    pub provider: String,
}

/// Where personal data entered the flow, with the evidence for its category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SourceRef {
    /// `None` when the source is in the analysed file itself.
    pub file: Option<std::path::PathBuf>,
    pub span: Span,
    pub category: String,
    /// The text that made us classify it: `user.email`, `"dob" column`, …
    pub evidence: String,
}

/// One hop of a flow path: source, each step, sink.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FlowStep {
    pub file: Option<std::path::PathBuf>,
    pub span: Span,
    pub note: String,
}

/// Whether a data-use tag covers the flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Undeclared,
    Declared,
    PartiallyDeclared,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Undeclared => "undeclared",
            Status::Declared => "declared",
            Status::PartiallyDeclared => "partially-declared",
        }
    }
}

/// A parsed `@data-use` tag as it applies to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Default)]
pub struct DataUseTag {
    #[serde(rename = "use")]
    pub data_use: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub basis: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub safeguards: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// The comment holding the tag, for edits; not part of the JSON contract.
    #[serde(skip)]
    pub span: Option<Span>,
}

/// One result of analysing a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Stable rule code, e.g. `PL101`.
    pub code: &'static str,
    /// Kebab-case rule name, e.g. `personal-data-to-llm`.
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// The whole AI call expression (or the tag, for tag findings).
    pub span: Span,
    pub sink: Option<Sink>,
    /// Sorted, de-duplicated fideslang category keys.
    pub categories: Vec<String>,
    pub sources: Vec<SourceRef>,
    /// A representative flow path: source, steps, sink.
    pub flow: Vec<FlowStep>,
    pub tag: Option<DataUseTag>,
    pub status: Status,
    /// Edits that resolve or declare the finding (code actions), computed
    /// by the analysis so every client applies the same change.
    pub fixes: Vec<Fix>,
}

/// A titled set of text edits to one file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// What the edit does, e.g. "Add data-use tag (train_ai_system)".
    pub title: String,
    pub kind: FixKind,
    /// The edit to offer first.
    pub preferred: bool,
    pub edits: Vec<TextEdit>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FixKind {
    /// Adds a `@data-use` tag above the AI call.
    AddTag,
    /// Adds the missing categories to an existing tag.
    DeclareMissing,
    /// Replaces an unknown key with a valid one.
    ReplaceKey,
    /// Marks a source as not personal data.
    NotPersonalData,
}

/// Replace the bytes of `span` with `new_text` (an insertion when the span is empty).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextEdit {
    pub span: Span,
    pub new_text: String,
}

/// Something the analysis could not do fully for a file (time or size
/// limits, nesting too deep). Reported to the user, never silently dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnalysisNote {
    pub message: String,
}

/// Everything one file's analysis produced.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FileAnalysis {
    pub findings: Vec<Finding>,
    /// Flows that start in this file and reach an AI call in another file
    /// (through an imported function): the finding belongs to that file.
    /// Its sources and steps in this file name this file explicitly.
    #[serde(skip)]
    pub elsewhere: Vec<(std::path::PathBuf, Finding)>,
    pub notes: Vec<AnalysisNote>,
    /// Every AI call recognised in the file, with or without personal data
    /// (for `check --all-sinks`).
    pub recognised_sinks: Vec<RecognisedSink>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RecognisedSink {
    pub span: Span,
    pub sink: Sink,
}
