//! Knowledge as data. Every file here is embedded at build time with
//! `include_str!`, parsed once, and validated by tests (`tests/knowledge.rs`):
//! reviewers change the tool's knowledge by editing data, not code.
//!
//! - `fideslang/taxonomy.json`: fideslang data categories, data uses and data
//!   subjects (CC BY 4.0, Ethyca; see `fideslang/ATTRIBUTION.md`).
//! - `vocabulary.toml`: identifier vocabulary (names, keys, columns →
//!   categories), exclusions, person-object context, literal patterns,
//!   special categories and quasi-identifiers.
//! - `sinks/<language>.toml`: the AI call catalogue per language, plus
//!   sanitizers, opaque calls, data loaders and ML modules.

pub mod base;

use std::sync::LazyLock;

use serde::Deserialize;

use crate::finding::SinkKind;

#[derive(Debug, Deserialize)]
pub struct Taxonomy {
    pub attribution: String,
    pub data_categories: Vec<TaxonomyEntry>,
    pub data_uses: Vec<TaxonomyEntry>,
    pub data_subjects: Vec<TaxonomyEntry>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TaxonomyEntry {
    pub key: String,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Deserialize)]
pub struct Vocabulary {
    /// Words naming a person-like object: `patient.name` is personal, `name` alone is not.
    pub person_objects: Vec<String>,
    /// A name containing any of these tokens is never personal data
    /// (`email_template`, `model_name`, `phone_model`).
    pub exclude_tokens: Vec<String>,
    /// Whole names (normalised to snake_case) that are never personal data.
    #[serde(default)]
    pub exclude_names: Vec<String>,
    /// Categories that are special categories under GDPR Art. 9 (prefix match).
    pub special_categories: Vec<String>,
    /// Categories that are quasi-identifiers (postal code, date of birth, gender, …).
    pub quasi_identifiers: Vec<String>,
    #[serde(rename = "term")]
    pub terms: Vec<Term>,
    #[serde(rename = "literal", default)]
    pub literals: Vec<LiteralPattern>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    /// Personal on its own: `email`, `date_of_birth`, `ssn`.
    Strong,
    /// Personal only with person-object context: `name`, `age`, `address`.
    Contextual,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Term {
    pub category: String,
    pub strength: Strength,
    /// Token sequences in snake_case; a name matches when its tokens contain
    /// one of them contiguously (`customer_email_address` ⊇ `email_address`).
    pub patterns: Vec<String>,
    /// Extra tokens that cancel this term only.
    #[serde(default)]
    pub exclude_with: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LiteralPattern {
    pub category: String,
    /// Short description shown as evidence ("e-mail address").
    pub name: String,
    pub regex: String,
}

/// A language's catalogue of AI calls and related functions.
///
/// Call patterns are matched against resolved call paths such as
/// `openai.OpenAI().chat.completions.create`: the import path of the root,
/// then each attribute, with `()` after every segment that was called.
/// In patterns `*` matches within one segment (no `.`), `**` matches anything.
#[derive(Debug, Deserialize)]
pub struct Catalogue {
    #[serde(rename = "sink")]
    pub sinks: Vec<SinkEntry>,
    #[serde(rename = "sanitizer", default)]
    pub sanitizers: Vec<SanitizerEntry>,
    /// Calls whose result carries no personal data of their arguments (`len`, `isinstance`).
    #[serde(default)]
    pub opaque_calls: Vec<String>,
    /// Calls that load tabular or dataset data (`pandas.read_csv`): their
    /// result takes the categories of the columns used on it.
    #[serde(default)]
    pub data_loaders: Vec<String>,
    /// Modules whose presence makes an unresolved `.fit(...)` on a model-like
    /// receiver a training call.
    #[serde(default)]
    pub ml_modules: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SinkEntry {
    /// Display name, e.g. `openai.chat.completions.create`.
    pub api: String,
    pub provider: String,
    pub kind: SinkKind,
    pub calls: Vec<String>,
    /// Arguments that carry data to the model: keyword/property names, `$0`,
    /// `$1`… for positions, `$receiver` for the object the method is called
    /// on. Empty means every argument.
    #[serde(default)]
    pub data: Vec<String>,
    /// Arguments that must hold opaque user ids (`user`, `metadata.user_id`).
    #[serde(default)]
    pub identifiers: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SanitizerEntry {
    pub name: String,
    pub calls: Vec<String>,
    /// Categories it removes; empty means all.
    #[serde(default)]
    pub categories: Vec<String>,
}

pub struct Knowledge {
    pub taxonomy: Taxonomy,
    pub vocabulary: Vocabulary,
    pub python: Catalogue,
    /// JavaScript and TypeScript (one catalogue: the SDKs are the same).
    pub javascript: Catalogue,
}

static KNOWLEDGE: LazyLock<Knowledge> = LazyLock::new(|| {
    // The data is compiled into the binary and checked by tests, so a parse
    // failure here is a build defect, not a user input problem.
    Knowledge {
        taxonomy: serde_json::from_str(include_str!("fideslang/taxonomy.json"))
            .expect("embedded fideslang taxonomy is valid JSON"),
        vocabulary: toml::from_str(include_str!("vocabulary.toml"))
            .expect("embedded vocabulary is valid TOML"),
        python: toml::from_str(include_str!("sinks/python.toml"))
            .expect("embedded Python sink catalogue is valid TOML"),
        javascript: toml::from_str(include_str!("sinks/javascript.toml"))
            .expect("embedded JavaScript sink catalogue is valid TOML"),
    }
});

/// The embedded knowledge, parsed on first use.
pub fn get() -> &'static Knowledge {
    &KNOWLEDGE
}

impl Taxonomy {
    pub fn category(&self, key: &str) -> Option<&TaxonomyEntry> {
        self.data_categories.iter().find(|c| c.key == key)
    }

    pub fn data_use(&self, key: &str) -> Option<&TaxonomyEntry> {
        self.data_uses.iter().find(|c| c.key == key)
    }

    pub fn data_subject(&self, key: &str) -> Option<&TaxonomyEntry> {
        self.data_subjects.iter().find(|c| c.key == key)
    }
}

/// `true` when `key` equals `prefix` or lies below it in the dotted tree.
pub fn key_has_prefix(key: &str, prefix: &str) -> bool {
    key == prefix
        || (key.len() > prefix.len()
            && key.starts_with(prefix)
            && key.as_bytes()[prefix.len()] == b'.')
}
