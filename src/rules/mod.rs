//! The rule registry. One file per rule; each holds its code, name, default
//! severity, one-line message and documentation page.

use crate::finding::{Severity, SinkKind};

#[derive(Debug)]
pub struct Rule {
    /// Stable code, e.g. `PL101`.
    pub code: &'static str,
    /// Kebab-case name, e.g. `personal-data-to-llm`.
    pub name: &'static str,
    pub default_severity: Severity,
    /// One-line summary used as the diagnostic message stem.
    pub summary: &'static str,
    /// Markdown documentation: What it finds, Why it matters, Example, How to fix.
    pub docs: &'static str,
}

mod pl101_personal_data_to_llm;
mod pl102_personal_data_to_local_inference;
mod pl103_personal_data_to_embedding;
mod pl104_personal_data_to_vector_store;
mod pl105_personal_data_in_training;
mod pl106_personal_data_in_fine_tuning;
mod pl107_personal_data_in_dataset_upload;
mod pl110_raw_identifier_as_user_id;
mod pl120_quasi_identifiers_in_training;
mod pl130_special_category_to_ai;
mod pl140_denied_by_policy;
mod pl201_tag_missing_categories;
mod pl202_unknown_tag_key;
mod pl203_orphaned_tag;
mod pl204_special_category_without_basis;
mod pl205_malformed_tag;

pub use pl101_personal_data_to_llm::RULE as PERSONAL_DATA_TO_LLM;
pub use pl102_personal_data_to_local_inference::RULE as PERSONAL_DATA_TO_LOCAL_INFERENCE;
pub use pl103_personal_data_to_embedding::RULE as PERSONAL_DATA_TO_EMBEDDING;
pub use pl104_personal_data_to_vector_store::RULE as PERSONAL_DATA_TO_VECTOR_STORE;
pub use pl105_personal_data_in_training::RULE as PERSONAL_DATA_IN_TRAINING;
pub use pl106_personal_data_in_fine_tuning::RULE as PERSONAL_DATA_IN_FINE_TUNING;
pub use pl107_personal_data_in_dataset_upload::RULE as PERSONAL_DATA_IN_DATASET_UPLOAD;
pub use pl110_raw_identifier_as_user_id::RULE as RAW_IDENTIFIER_AS_USER_ID;
pub use pl120_quasi_identifiers_in_training::RULE as QUASI_IDENTIFIERS_IN_TRAINING;
pub use pl130_special_category_to_ai::RULE as SPECIAL_CATEGORY_TO_AI;
pub use pl140_denied_by_policy::RULE as DENIED_BY_POLICY;
pub use pl201_tag_missing_categories::RULE as TAG_MISSING_CATEGORIES;
pub use pl202_unknown_tag_key::RULE as UNKNOWN_TAG_KEY;
pub use pl203_orphaned_tag::RULE as ORPHANED_TAG;
pub use pl204_special_category_without_basis::RULE as SPECIAL_CATEGORY_WITHOUT_BASIS;
pub use pl205_malformed_tag::RULE as MALFORMED_TAG;

/// Every rule, in code order.
pub static ALL: &[&Rule] = &[
    &PERSONAL_DATA_TO_LLM,
    &PERSONAL_DATA_TO_LOCAL_INFERENCE,
    &PERSONAL_DATA_TO_EMBEDDING,
    &PERSONAL_DATA_TO_VECTOR_STORE,
    &PERSONAL_DATA_IN_TRAINING,
    &PERSONAL_DATA_IN_FINE_TUNING,
    &PERSONAL_DATA_IN_DATASET_UPLOAD,
    &RAW_IDENTIFIER_AS_USER_ID,
    &QUASI_IDENTIFIERS_IN_TRAINING,
    &SPECIAL_CATEGORY_TO_AI,
    &DENIED_BY_POLICY,
    &TAG_MISSING_CATEGORIES,
    &UNKNOWN_TAG_KEY,
    &ORPHANED_TAG,
    &SPECIAL_CATEGORY_WITHOUT_BASIS,
    &MALFORMED_TAG,
];

/// The flow rule for personal data reaching a sink of this kind.
pub fn for_sink_kind(kind: SinkKind) -> &'static Rule {
    match kind {
        SinkKind::LlmInference => &PERSONAL_DATA_TO_LLM,
        SinkKind::LocalInference => &PERSONAL_DATA_TO_LOCAL_INFERENCE,
        SinkKind::Embedding => &PERSONAL_DATA_TO_EMBEDDING,
        SinkKind::VectorStore => &PERSONAL_DATA_TO_VECTOR_STORE,
        SinkKind::Training => &PERSONAL_DATA_IN_TRAINING,
        SinkKind::FineTuning => &PERSONAL_DATA_IN_FINE_TUNING,
        SinkKind::DatasetUpload => &PERSONAL_DATA_IN_DATASET_UPLOAD,
    }
}

/// Looks a rule up by code (`PL101`) or name (`personal-data-to-llm`), case-insensitively.
pub fn find(code_or_name: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| {
        r.code.eq_ignore_ascii_case(code_or_name) || r.name.eq_ignore_ascii_case(code_or_name)
    })
}
