//! Checks the AI privacy knowledge base (`src/knowledge/{risks,mitigations,
//! legal,providers,tags}.toml`) and what it renders: every risk is sourced
//! and has a figure, every referenced key exists, every provider fact is
//! dated, hovers name risks and mitigations and escalate special categories,
//! and every rule page has the documented structure.

use std::collections::HashSet;

use privacy_lens::finding::SinkKind;
use privacy_lens::knowledge::{self, base, key_has_prefix};
use privacy_lens::rules;

fn is_category(key: &str) -> bool {
    knowledge::get().taxonomy.category(key).is_some()
}

fn strings(keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| k.to_string()).collect()
}

fn unique<'a>(what: &str, ids: impl IntoIterator<Item = &'a str>) {
    let mut seen = HashSet::new();
    for id in ids {
        assert!(seen.insert(id), "duplicate {what} id `{id}`");
    }
}

fn is_kebab_case(s: &str) -> bool {
    !s.is_empty()
        && s.split('-')
            .all(|part| !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase()))
}

// ------------------------------------------------------------------- risks

#[test]
fn every_risk_cites_a_source_and_has_a_figure() {
    let kb = base::get();
    assert!(kb.risks.len() >= 10, "only {} risks", kb.risks.len());
    for risk in &kb.risks {
        assert!(
            !risk.sources.is_empty(),
            "risk `{}` cites no source",
            risk.id
        );
        for source in &risk.sources {
            // A paper with its year, or an official document with its address.
            assert!(
                source.len() > 20
                    && (source.chars().any(|c| c.is_ascii_digit()) || source.contains('/')),
                "risk `{}`: source `{source}` needs a venue and year, or a document address",
                risk.id
            );
        }
        assert!(
            !risk.figure.trim().is_empty(),
            "risk `{}` has no figure",
            risk.id
        );
        assert!(
            !risk.cite.trim().is_empty(),
            "risk `{}` has no cite",
            risk.id
        );
        assert!(
            risk.summary.len() <= 220,
            "risk `{}`: the hover summary is too long ({} chars)",
            risk.id,
            risk.summary.len()
        );
        assert!(
            !risk.explanation.trim().is_empty(),
            "risk `{}` has no explanation",
            risk.id
        );
        assert!(
            !risk.kinds.is_empty() || !risk.triggers.is_empty(),
            "risk `{}` applies to nothing",
            risk.id
        );
        assert!(
            is_kebab_case(&risk.id),
            "risk id `{}` is not kebab-case",
            risk.id
        );
    }
    unique("risk", kb.risks.iter().map(|r| r.id.as_str()));
}

#[test]
fn the_required_risks_are_present_with_their_papers() {
    let kb = base::get();
    let expect = [
        ("memorization", "Carlini"),
        ("memorization", "Secret Sharer"),
        ("memorization", "Nasr"),
        ("memorization", "Kandpal"),
        ("membership-inference", "Shokri"),
        ("model-inversion", "Fredrikson"),
        ("attribute-inference", "Staab"),
        ("re-identification", "Sweeney"),
        ("embedding-inversion", "Morris"),
        ("retrieval-leakage", "Zeng"),
        ("fine-tuning-leakage", "Mireshghallah"),
        ("provider-disclosure", "OpenAI"),
    ];
    for (id, author) in expect {
        let risk = kb
            .risk(id)
            .unwrap_or_else(|| panic!("risk `{id}` is missing"));
        assert!(
            risk.sources.iter().any(|s| s.contains(author)),
            "risk `{id}` should cite {author}"
        );
    }
}

#[test]
fn risk_references_resolve() {
    let kb = base::get();
    for risk in &kb.risks {
        assert!(
            !risk.mitigations.is_empty(),
            "risk `{}` has no mitigation",
            risk.id
        );
        for id in &risk.mitigations {
            assert!(
                kb.mitigation(id).is_some(),
                "risk `{}`: unknown mitigation `{id}`",
                risk.id
            );
        }
        for trigger in &risk.triggers {
            assert!(
                is_category(trigger),
                "risk `{}`: trigger `{trigger}` is not a fideslang category",
                risk.id
            );
        }
        assert!(
            risk.trigger_min >= 1 && risk.trigger_min <= risk.triggers.len().max(1),
            "risk `{}`: trigger_min out of range",
            risk.id
        );
    }
    assert_eq!(base::risk_ids().len(), kb.risks.len());
}

#[test]
fn every_sink_kind_has_a_description_and_risks() {
    let kb = base::get();
    for kind in SinkKind::ALL {
        let info = kb
            .kind(kind)
            .unwrap_or_else(|| panic!("no [[kind]] for {}", kind.as_str()));
        assert!(!info.headline.is_empty());
        assert!(
            kb.risks.iter().any(|r| r.kinds.contains(&kind)),
            "no risk applies to {}",
            kind.as_str()
        );
        assert!(
            kb.mitigations.iter().any(|m| m.kinds.contains(&kind)),
            "no mitigation applies to {}",
            kind.as_str()
        );
    }
    assert_eq!(kb.kinds.len(), SinkKind::ALL.len());
}

#[test]
fn risk_explanation_renders_and_rejects_unknown_ids() {
    for id in base::risk_ids() {
        let text = base::risk_explanation(id).unwrap();
        assert!(text.contains(&format!("`{id}`")), "{id}: {text}");
        assert!(text.contains("**Key figure:**"), "{id}");
        assert!(text.contains("**Sources:**"), "{id}");
        assert!(text.contains("**Mitigations:**"), "{id}");
    }
    assert!(base::risk_explanation("Memorization").is_some());
    assert!(base::risk_explanation("no-such-risk").is_none());
}

// ------------------------------------------------------------- mitigations

#[test]
fn mitigations_are_sourced_and_unique() {
    let kb = base::get();
    for m in &kb.mitigations {
        assert!(
            !m.source.trim().is_empty(),
            "mitigation `{}` has no source",
            m.id
        );
        assert!(
            !m.kinds.is_empty(),
            "mitigation `{}` applies to nothing",
            m.id
        );
        assert!(
            is_kebab_case(&m.id),
            "mitigation id `{}` is not kebab-case",
            m.id
        );
    }
    unique("mitigation", kb.mitigations.iter().map(|m| m.id.as_str()));
    unique(
        "safeguard",
        kb.mitigations
            .iter()
            .flat_map(|m| m.safeguards.iter().map(String::as_str)),
    );
    for id in [
        "minimisation",
        "pseudonymisation",
        "redaction",
        "dp-sgd",
        "deduplication",
        "zero-retention",
        "local-model",
        "per-user-filtering",
        "deletion",
        "k-anonymity",
    ] {
        assert!(kb.mitigation(id).is_some(), "mitigation `{id}` is missing");
    }
    assert!(kb.mitigation("dp-sgd").unwrap().source.contains("Abadi"));
    assert!(
        kb.mitigation("redaction")
            .unwrap()
            .text
            .contains("Presidio")
    );
    assert!(
        kb.mitigation("pseudonymisation")
            .unwrap()
            .text
            .contains("HMAC")
    );
    assert!(
        kb.mitigation("zero-retention")
            .unwrap()
            .text
            .contains("store=False")
    );
}

// ------------------------------------------------------------------- legal

#[test]
fn every_legal_entry_names_existing_categories_and_laws() {
    let kb = base::get();
    for group in &kb.groups {
        assert!(
            !group.categories.is_empty(),
            "group `{}` has no categories",
            group.id
        );
        for category in &group.categories {
            assert!(
                is_category(category),
                "legal group `{}`: `{category}` is not a fideslang category",
                group.id
            );
        }
        for law in &group.laws {
            assert!(
                kb.law(law).is_some(),
                "group `{}`: unknown law `{law}`",
                group.id
            );
        }
        if let Some(risk) = &group.risk {
            assert!(
                kb.risk(risk).is_some(),
                "group `{}`: unknown risk `{risk}`",
                group.id
            );
        }
        assert!(!group.escalation.is_empty() && !group.ai.is_empty());
    }
    for note in &kb.uses {
        assert!(
            knowledge::get().taxonomy.data_use(&note.key).is_some(),
            "use note `{}` is not a fideslang data use",
            note.key
        );
        for law in &note.laws {
            assert!(
                kb.law(law).is_some(),
                "use `{}`: unknown law `{law}`",
                note.key
            );
        }
    }
    for law in &kb.laws {
        assert!(!law.source.is_empty(), "law `{}` has no source", law.id);
    }
    unique("law", kb.laws.iter().map(|l| l.id.as_str()));
    unique("group", kb.groups.iter().map(|g| g.id.as_str()));
}

#[test]
fn the_required_laws_are_present() {
    let kb = base::get();
    for id in [
        "gdpr-5-1-b",
        "gdpr-5-1-c",
        "gdpr-5-1-e",
        "gdpr-6",
        "gdpr-9",
        "gdpr-22",
        "gdpr-25",
        "gdpr-35",
        "ccpa-spi",
        "hipaa",
        "coppa",
        "bipa",
        "ai-act-5",
        "ai-act-10",
        "ai-act-annex-iii",
    ] {
        assert!(kb.law(id).is_some(), "law `{id}` is missing");
    }
}

#[test]
fn special_groups_match_the_vocabulary() {
    let kb = base::get();
    let special = &knowledge::get().vocabulary.special_categories;
    // Every vocabulary special category is covered by a special group…
    for category in special {
        assert!(
            kb.groups
                .iter()
                .filter(|g| g.special)
                .any(|g| g.categories.iter().any(|gc| key_has_prefix(category, gc))),
            "special category `{category}` has no special legal group"
        );
    }
    // …and every special group lies within the vocabulary's special categories.
    for group in kb.groups.iter().filter(|g| g.special) {
        for category in &group.categories {
            assert!(
                special.iter().any(|s| key_has_prefix(category, s)),
                "group `{}`: `{category}` is not a special category in vocabulary.toml",
                group.id
            );
        }
    }
    // The quasi-identifier group is the vocabulary's list.
    let quasi = kb
        .groups
        .iter()
        .find(|g| g.min_categories > 1)
        .expect("a quasi-identifier group");
    let mut from_vocabulary = knowledge::get().vocabulary.quasi_identifiers.clone();
    let mut from_group = quasi.categories.clone();
    from_vocabulary.sort();
    from_group.sort();
    assert_eq!(
        from_group, from_vocabulary,
        "legal.toml quasi-identifiers drift from vocabulary.toml"
    );
    let reid = kb.risk("re-identification").unwrap();
    let mut triggers = reid.triggers.clone();
    triggers.sort();
    assert_eq!(
        triggers, from_vocabulary,
        "re-identification triggers drift from vocabulary.toml"
    );
}

// --------------------------------------------------------------- providers

#[test]
fn every_provider_fact_has_a_checked_date_and_a_source() {
    let kb = base::get();
    for provider in &kb.providers {
        assert!(
            !provider.facts.is_empty(),
            "provider `{}` has no facts",
            provider.id
        );
        assert!(
            !provider.matches.is_empty(),
            "provider `{}` matches nothing",
            provider.id
        );
        for fact in &provider.facts {
            let date = fact.checked.as_bytes();
            assert!(
                date.len() == 7
                    && date[4] == b'-'
                    && date[..4].iter().chain(&date[5..]).all(u8::is_ascii_digit),
                "provider `{}`: checked = `{}` is not YYYY-MM",
                provider.id,
                fact.checked
            );
            assert!(
                !fact.source.trim().is_empty(),
                "provider `{}`: a fact has no source",
                provider.id
            );
            assert!(!fact.text.trim().is_empty());
        }
    }
    unique("provider", kb.providers.iter().map(|p| p.id.as_str()));
}

#[test]
fn providers_resolve_from_catalogue_names() {
    let kb = base::get();
    let id = |name: &str| kb.provider(name).map(|p| p.id.as_str());
    assert_eq!(id("OpenAI"), Some("openai"));
    assert_eq!(id("Anthropic"), Some("anthropic"));
    assert_eq!(id("Anthropic (Claude Agent SDK)"), Some("anthropic"));
    assert_eq!(id("Google Gemini"), Some("google-gemini"));
    assert_eq!(id("Google Vertex AI"), Some("google-vertex"));
    assert_eq!(id("Amazon Bedrock"), Some("amazon-bedrock"));
    assert_eq!(id("Cohere"), Some("cohere"));
    assert_eq!(id("Mistral AI"), Some("mistral"));
    assert_eq!(id("local"), Some("local"));
    assert_eq!(id("scikit-learn (local)"), Some("local"));
    assert_eq!(id("Ollama (local)"), Some("local"));
    assert_eq!(id("OpenAI-compatible API"), None);
    assert_eq!(id("Pinecone"), None);
    // Every provider the brief names is present.
    for required in [
        "openai",
        "anthropic",
        "google-gemini",
        "amazon-bedrock",
        "cohere",
        "mistral",
        "local",
    ] {
        assert!(
            kb.providers.iter().any(|p| p.id == required),
            "provider `{required}` missing"
        );
    }
}

// ------------------------------------------------------- flow explanations

#[test]
fn flow_explanation_names_a_risk_and_a_mitigation_for_every_kind() {
    let kb = base::get();
    let categories = strings(&["user.contact.email"]);
    for kind in SinkKind::ALL {
        for provider in ["OpenAI", "local", "", "Some Vendor"] {
            let text = base::flow_explanation(kind, &categories, provider);
            assert!(
                kb.risks.iter().any(|r| text.contains(&r.name)),
                "{} / {provider:?}: no risk named in\n{text}",
                kind.as_str()
            );
            assert!(
                text.contains("**Mitigate:**")
                    && kb.mitigations.iter().any(|m| text.contains(&m.name)),
                "{} / {provider:?}: no mitigation named in\n{text}",
                kind.as_str()
            );
            assert!(
                text.starts_with("**Personal data"),
                "the most important line comes first:\n{text}"
            );
            assert!(text.lines().count() <= 16, "hover too long:\n{text}");
        }
    }
}

#[test]
fn special_categories_produce_the_article_9_escalation() {
    let art9 = [
        "user.health_and_medical",
        "user.health_and_medical.genetic",
        "user.biometric.fingerprint",
        "user.authorization.biometric",
        "user.demographic.race_ethnicity",
        "user.demographic.political_opinion",
        "user.demographic.religious_belief",
        "user.demographic.sexual_orientation",
    ];
    for category in art9 {
        for kind in SinkKind::ALL {
            let text = base::flow_explanation(kind, &strings(&[category]), "OpenAI");
            let first = text.lines().next().unwrap();
            assert!(
                first.starts_with("**Special-category data"),
                "{category} / {}: {first}",
                kind.as_str()
            );
            assert!(
                text.contains("Art. 9"),
                "{category} / {}:\n{text}",
                kind.as_str()
            );
            assert!(text.contains('⚠'), "{category}: no escalation line");
        }
    }
    // Criminal history is special in the vocabulary, under GDPR Art. 10.
    let text = base::flow_explanation(SinkKind::Training, &strings(&["user.criminal_history"]), "");
    assert!(text.contains("Art. 10"), "{text}");
    // Health points to HIPAA.
    let text = base::flow_explanation(
        SinkKind::LlmInference,
        &strings(&["user.health_and_medical.record_id"]),
        "Anthropic",
    );
    assert!(text.contains("HIPAA"), "{text}");
}

#[test]
fn other_sensitive_groups_escalate() {
    let case = |kind, cats: &[&str], needle: &str| {
        let text = base::flow_explanation(kind, &strings(cats), "OpenAI");
        assert!(
            text.contains(needle),
            "{cats:?} should mention {needle}:\n{text}"
        );
    };
    case(SinkKind::Training, &["user.childrens"], "COPPA");
    case(SinkKind::LocalInference, &["user.biometric.voice"], "BIPA");
    case(
        SinkKind::LocalInference,
        &["user.biometric.voice"],
        "AI Act Art. 5",
    );
    case(SinkKind::LlmInference, &["user.location.precise"], "CPRA");
    case(
        SinkKind::Training,
        &[
            "user.contact.address.postal_code",
            "user.demographic.date_of_birth",
            "user.demographic.gender",
        ],
        "87 %",
    );
    // Two quasi-identifiers are not yet a combination.
    let text = base::flow_explanation(
        SinkKind::Training,
        &strings(&[
            "user.contact.address.postal_code",
            "user.demographic.gender",
        ]),
        "",
    );
    assert!(!text.contains("Quasi-identifier combination"), "{text}");
    // Plain contact data does not escalate.
    let text = base::flow_explanation(
        SinkKind::LlmInference,
        &strings(&["user.contact.email"]),
        "OpenAI",
    );
    assert!(!text.contains('⚠'), "{text}");
}

#[test]
fn flow_explanation_is_specific_to_the_provider() {
    let cats = strings(&["user.contact.email"]);
    let text = base::flow_explanation(SinkKind::LlmInference, &cats, "OpenAI");
    assert!(
        text.contains("OpenAI") && text.contains("30 days"),
        "{text}"
    );
    let text = base::flow_explanation(SinkKind::LlmInference, &cats, "Google Gemini");
    assert!(text.contains("human reviewers"), "{text}");
    let text = base::flow_explanation(SinkKind::LlmInference, &cats, "Anthropic");
    assert!(text.contains("Anthropic"), "{text}");
    let text = base::flow_explanation(SinkKind::LocalInference, &cats, "Ollama (local)");
    assert!(text.contains("No vendor receives the data"), "{text}");
    assert!(!text.contains("Disclosure to"), "{text}");
    let text = base::flow_explanation(
        SinkKind::LlmInference,
        &cats,
        "LiteLLM (provider from model string)",
    );
    assert!(text.contains("the provider `LiteLLM` routes to"), "{text}");
    let text = base::flow_explanation(SinkKind::Embedding, &cats, "Some Vendor");
    assert!(
        text.contains("`Some Vendor`") && text.contains("Art. 28"),
        "{text}"
    );
}

// ------------------------------------------------ categories and tag keys

#[test]
fn every_category_has_an_explanation() {
    for entry in &knowledge::get().taxonomy.data_categories {
        let text = base::category_explanation(&entry.key)
            .unwrap_or_else(|| panic!("no explanation for {}", entry.key));
        assert!(text.contains(&format!("`{}`", entry.key)));
    }
    assert!(base::category_explanation("user.nope").is_none());
    let health = base::category_explanation("user.health_and_medical").unwrap();
    assert!(
        health.contains("Art. 9") && health.contains("HIPAA"),
        "{health}"
    );
    let dob = base::category_explanation("user.demographic.date_of_birth").unwrap();
    assert!(dob.contains("Quasi-identifier"), "{dob}");
    let demographic = base::category_explanation("user.demographic").unwrap();
    assert!(demographic.contains("special category"), "{demographic}");
}

#[test]
fn tag_keys_are_explained() {
    for field in [
        "use",
        "data",
        "subject",
        "basis",
        "safeguards",
        "retention",
        "ref",
    ] {
        let text = base::tag_key_explanation(field).unwrap_or_else(|| panic!("field {field}"));
        assert!(text.contains("tag field"), "{text}");
    }
    for basis in privacy_lens::analysis::tags::BASES {
        let text = base::tag_key_explanation(basis).unwrap_or_else(|| panic!("basis {basis}"));
        assert!(text.contains("Art. 6(1)"), "{text}");
    }
    for kind in SinkKind::ALL {
        let text = base::tag_key_explanation(kind.as_str()).unwrap();
        assert!(text.contains(rules::for_sink_kind(kind).code), "{text}");
    }
    let taxonomy = &knowledge::get().taxonomy;
    for entry in taxonomy.data_uses.iter().chain(&taxonomy.data_subjects) {
        assert!(
            base::tag_key_explanation(&entry.key).is_some(),
            "no explanation for {}",
            entry.key
        );
    }
    let train = base::tag_key_explanation("train_ai_system").unwrap();
    assert!(train.contains("Art. 5(1)(b)"), "{train}");
    let category = base::tag_key_explanation("user.contact.email").unwrap();
    assert!(category.contains("data category"), "{category}");
    let safeguard = base::tag_key_explanation("pseudonymized").unwrap();
    assert!(safeguard.contains("HMAC"), "{safeguard}");
    assert!(base::tag_key_explanation("nonsense_key").is_none());
}

// ------------------------------------------------------------- rule pages

#[test]
fn every_rule_page_has_the_documented_structure() {
    const SECTIONS: [&str; 4] = [
        "## What it finds",
        "## Why it matters",
        "## Example",
        "## How to fix",
    ];
    for rule in rules::ALL {
        let title = format!("# {} {}", rule.code, rule.name);
        assert_eq!(
            rule.docs.lines().next(),
            Some(title.as_str()),
            "{}: the page must start with `{title}`",
            rule.code
        );
        let mut last = 0;
        for section in SECTIONS {
            let at = rule
                .docs
                .lines()
                .position(|l| l.trim_end() == section)
                .unwrap_or_else(|| panic!("{}: missing `{section}`", rule.code));
            assert!(at > last, "{}: `{section}` is out of order", rule.code);
            last = at;
        }
        assert!(
            !rule.docs.contains("TODO"),
            "{}: the page still has a TODO",
            rule.code
        );
    }
}
