//! Checks the embedded knowledge data (`src/knowledge/`): the fideslang
//! taxonomy, the identifier vocabulary with its literal patterns, and the
//! Python sink catalogue. These tests fail on bad data: unknown category
//! keys, regexes that do not compile or match the wrong things, malformed
//! call patterns, and vocabulary entries that can never match.

mod sink_cases;

use std::collections::{HashMap, HashSet};

use privacy_lens::analysis::{classify, sinks};
use privacy_lens::finding::SinkKind;
use privacy_lens::knowledge::{self, Strength};
use privacy_lens::language::Language;
use regex::Regex;

fn category_keys() -> HashSet<&'static str> {
    knowledge::get()
        .taxonomy
        .data_categories
        .iter()
        .map(|c| c.key.as_str())
        .collect()
}

fn is_category(key: &str) -> bool {
    category_keys().contains(key)
}

/// A single lowercase token as the classifier produces it: letters only or
/// digits only (the tokenizer splits at letter/digit boundaries).
fn is_token(s: &str) -> bool {
    !s.is_empty()
        && (s.bytes().all(|b| b.is_ascii_lowercase()) || s.bytes().all(|b| b.is_ascii_digit()))
}

fn is_snake_case(s: &str) -> bool {
    s.split('_').all(is_token)
}

// ---------------------------------------------------------------- taxonomy

#[test]
fn taxonomy_has_the_full_fideslang_sets() {
    let t = &knowledge::get().taxonomy;
    assert_eq!(
        t.data_categories.len(),
        85,
        "fideslang has 85 data categories"
    );
    assert_eq!(t.data_subjects.len(), 15, "fideslang has 15 data subjects");
    assert!(
        t.data_uses.len() >= 54,
        "data_uses.yml has 54 uses, got {}",
        t.data_uses.len()
    );
    for key in [
        "train_ai_system",
        "essential.service",
        "personalize.content",
        "third_party_sharing",
        "marketing.advertising.profiling",
        "functional.storage.privacy_preferences",
    ] {
        assert!(t.data_use(key).is_some(), "data use {key} is missing");
    }
    for key in [
        "user",
        "user.contact.email",
        "user.health_and_medical.genetic",
        "user.location.precise",
        "user.demographic.age_range",
        "user.government_id.passport_number",
        "system.operations",
    ] {
        assert!(t.category(key).is_some(), "category {key} is missing");
    }
    for key in [
        "customer",
        "employee",
        "patient",
        "job_applicant",
        "anonymous_user",
    ] {
        assert!(
            t.data_subject(key).is_some(),
            "data subject {key} is missing"
        );
    }
}

#[test]
fn taxonomy_entries_are_complete_unique_and_rooted() {
    let t = &knowledge::get().taxonomy;
    assert!(t.attribution.contains("Ethyca"));
    assert!(t.attribution.contains("CC BY 4.0"));
    assert!(
        t.attribution
            .contains("creativecommons.org/licenses/by/4.0")
    );
    for (kind, entries, dotted) in [
        ("category", &t.data_categories, true),
        ("use", &t.data_uses, true),
        ("subject", &t.data_subjects, false),
    ] {
        let mut seen = HashSet::new();
        for e in entries {
            assert!(
                seen.insert(e.key.as_str()),
                "duplicate {kind} key {}",
                e.key
            );
            assert!(!e.name.trim().is_empty(), "{kind} {} has no name", e.key);
            assert!(
                !e.description.trim().is_empty(),
                "{kind} {} has no description",
                e.key
            );
            assert!(
                e.key.split('.').all(is_snake_case),
                "{kind} key {} is not dotted snake_case",
                e.key
            );
        }
        if dotted {
            for e in entries {
                if let Some((parent, _)) = e.key.rsplit_once('.') {
                    assert!(
                        seen.contains(parent),
                        "{kind} {} has no parent {parent}",
                        e.key
                    );
                }
            }
        }
    }
}

// -------------------------------------------------------------- vocabulary

#[test]
fn vocabulary_categories_exist_in_the_taxonomy() {
    let v = &knowledge::get().vocabulary;
    for term in &v.terms {
        assert!(
            is_category(&term.category),
            "term {:?} uses unknown category {}",
            term.patterns.first(),
            term.category
        );
    }
    for literal in &v.literals {
        assert!(
            is_category(&literal.category),
            "literal {} uses unknown category {}",
            literal.name,
            literal.category
        );
    }
    for key in v.special_categories.iter().chain(&v.quasi_identifiers) {
        assert!(is_category(key), "unknown category {key}");
    }
}

#[test]
fn special_categories_cover_gdpr_article_9_and_10() {
    let c = classify::get();
    for key in [
        "user.health_and_medical",
        "user.health_and_medical.genetic",
        "user.biometric.fingerprint",
        "user.demographic.race_ethnicity",
        "user.demographic.political_opinion",
        "user.demographic.religious_belief",
        "user.demographic.sexual_orientation",
        "user.criminal_history",
    ] {
        assert!(c.is_special(key), "{key} should be a special category");
    }
    for key in [
        "user.contact.email",
        "user.name",
        "user.demographic.age_range",
        "user.financial",
    ] {
        assert!(!c.is_special(key), "{key} is not a special category");
    }
    for key in [
        "user.contact.address.postal_code",
        "user.demographic.date_of_birth",
        "user.demographic.gender",
    ] {
        assert!(
            c.is_quasi_identifier(key),
            "{key} should be a quasi-identifier"
        );
    }
}

#[test]
fn vocabulary_entries_are_well_formed() {
    let v = &knowledge::get().vocabulary;
    let excluded: HashSet<&str> = v.exclude_tokens.iter().map(String::as_str).collect();
    for t in &v.exclude_tokens {
        assert!(
            is_token(t),
            "exclude token {t:?} is not a single lowercase token"
        );
    }
    for p in &v.person_objects {
        assert!(
            is_token(p),
            "person object {p:?} must be one token (names are compared token by token)"
        );
        assert!(
            !excluded.contains(p.as_str()),
            "person object {p} is also excluded"
        );
    }
    for n in &v.exclude_names {
        assert!(is_snake_case(n), "exclude name {n:?} is not snake_case");
    }
    let mut seen: HashMap<(&str, &str), Strength> = HashMap::new();
    for term in &v.terms {
        assert!(
            !term.patterns.is_empty(),
            "term {} has no patterns",
            term.category
        );
        for x in &term.exclude_with {
            assert!(
                is_token(x),
                "{}: exclude_with {x:?} is not one token",
                term.category
            );
            assert!(
                !excluded.contains(x.as_str()),
                "{}: exclude_with {x} is already a global exclude token",
                term.category
            );
        }
        for p in &term.patterns {
            assert!(
                is_snake_case(p),
                "{}: pattern {p:?} is not snake_case tokens",
                term.category
            );
            for tok in p.split('_') {
                assert!(
                    !excluded.contains(tok),
                    "{}: pattern {p} can never match, it contains the excluded token {tok}",
                    term.category
                );
                assert!(
                    !term.exclude_with.iter().any(|x| x == tok),
                    "{}: pattern {p} is cancelled by its own exclude_with {tok}",
                    term.category
                );
            }
            if let Some(previous) = seen.insert((term.category.as_str(), p.as_str()), term.strength)
            {
                panic!(
                    "{}: pattern {p} is listed twice ({previous:?} and {:?})",
                    term.category, term.strength
                );
            }
        }
    }
}

#[test]
fn the_d3_vocabulary_is_covered() {
    // One representative name per group of the knowledge base's section D.3.
    let c = classify::get();
    let strong = [
        ("email", "user.contact.email"),
        ("emailAddress", "user.contact.email"),
        ("e-mail", "user.contact.email"),
        ("phone_number", "user.contact.phone_number"),
        ("mobileNo", "user.contact.phone_number"),
        ("cellphone", "user.contact.phone_number"),
        ("billing_address", "user.contact.address.street"),
        ("zipcode", "user.contact.address.postal_code"),
        ("postal_code", "user.contact.address.postal_code"),
        ("dob", "user.demographic.date_of_birth"),
        ("DateOfBirth", "user.demographic.date_of_birth"),
        ("birthdate", "user.demographic.date_of_birth"),
        ("first_name", "user.name.first"),
        ("firstname", "user.name.first"),
        ("surname", "user.name.last"),
        ("full_name", "user.name"),
        ("gender", "user.demographic.gender"),
        ("Sex", "user.demographic.gender"),
        ("age_group", "user.demographic.age_range"),
        ("age", "user.demographic.age_range"),
        ("Age", "user.demographic.age_range"),
        ("ethnicity", "user.demographic.race_ethnicity"),
        ("religion", "user.demographic.religious_belief"),
        (
            "political_affiliation",
            "user.demographic.political_opinion",
        ),
        ("sexual_orientation", "user.demographic.sexual_orientation"),
        ("marital_status", "user.demographic.marital_status"),
        ("MaritalStatus", "user.demographic.marital_status"),
        ("employee_id", "user.unique_id"),
        ("customerID", "user.unique_id"),
        ("profile_photo", "user.content.self_image"),
        ("passport_number", "user.government_id.passport_number"),
        (
            "drivers_license",
            "user.government_id.drivers_license_number",
        ),
        ("ssn", "user.government_id.national_identification_number"),
        ("SSN", "user.government_id.national_identification_number"),
        (
            "tax_id",
            "user.government_id.national_identification_number",
        ),
        ("imei", "user.device.device_id"),
        ("idfa", "user.device.device_id"),
        ("ip_address", "user.device.ip_address"),
        ("IPAddress", "user.device.ip_address"),
        ("mac_address", "user.device.device_id"),
        ("gps_location", "user.location.precise"),
        ("iban", "user.financial.bank_account"),
        ("bank_account_number", "user.financial.bank_account"),
        ("credit_card_number", "user.financial.credit_card"),
        ("cvv", "user.financial.credit_card"),
        ("credit_score", "user.financial"),
        ("salary", "user.financial"),
        ("MonthlyIncome", "user.financial"),
        ("medical_history", "user.health_and_medical"),
        ("diagnosis", "user.health_and_medical"),
        ("medications", "user.health_and_medical"),
        ("symptoms", "user.health_and_medical"),
        ("blood_type", "user.health_and_medical"),
        ("blood_group", "user.health_and_medical"),
        ("BloodPressure", "user.health_and_medical"),
        ("bmi", "user.health_and_medical"),
        ("heart_rate", "user.health_and_medical"),
        ("mental_health", "user.health_and_medical"),
        ("has_diabetes", "user.health_and_medical"),
        ("is_pregnant", "user.health_and_medical"),
        ("mrn", "user.health_and_medical.record_id"),
        ("patient_id", "user.health_and_medical.record_id"),
        ("fingerprint_scan", "user.biometric.fingerprint"),
        ("face_encoding", "user.biometric"),
        ("voiceprint", "user.biometric.voice"),
        ("iris_scan", "user.biometric.retinal"),
        ("dna_sequence", "user.health_and_medical.genetic"),
        ("genotype", "user.health_and_medical.genetic"),
        ("chat_logs", "user.content.private"),
        ("journal_entry", "user.content.private"),
        ("email_body", "user.content.private"),
        ("resume_text", "user.job_title"),
        ("job_title", "user.job_title"),
        ("occupation", "user.job_title"),
        ("employer", "user.workplace"),
        ("purchase_history", "user.behavior.purchase_history"),
        ("browsing_history", "user.behavior.browsing_history"),
        ("search_history", "user.behavior.search_history"),
        ("user_ratings", "user.behavior"),
        ("criminal_record", "user.criminal_history"),
        ("username", "user.account.username"),
        ("password", "user.authorization.password"),
        ("user_id", "user.unique_id"),
        ("is_minor", "user.childrens"),
        ("nationality", "user.government_id.immigration"),
    ];
    let mut problems = Vec::new();
    for (name, expected) in strong {
        match c.classify_name(name, false) {
            Some(got) if got.category == expected && got.strength == Strength::Strong => {}
            other => problems.push(format!("{name}: expected strong {expected}, got {other:?}")),
        }
    }
    // Contextual terms need a person object: `patient.name`, `customer["age"]`.
    let contextual = [
        ("name", "user.name"),
        ("address", "user.contact.address"),
        ("city", "user.contact.address.city"),
        ("country", "user.contact.address.country"),
        ("language", "user.demographic.language"),
        ("notes", "user.content.private"),
        ("message", "user.content.private"),
        ("location", "user.location.imprecise"),
        ("lat", "user.location.precise"),
        ("photo", "user.content.self_image"),
        ("bio", "user.demographic.profile"),
        ("weight", "user.health_and_medical"),
        ("id", "user.unique_id"),
        ("zip", "user.contact.address.postal_code"),
        ("device_id", "user.device.device_id"),
    ];
    for (name, expected) in contextual {
        match c.classify_name(name, true) {
            Some(got) if got.category == expected => {}
            other => problems.push(format!(
                "patient.{name}: expected {expected}, got {other:?}"
            )),
        }
        if let Some(got) = c.classify_name(name, false) {
            problems.push(format!("{name} alone should not be personal, got {got:?}"));
        }
    }
    // A person word inside the name is context too.
    for (name, expected) in [
        ("user_address", "user.contact.address"),
        ("customer_age", "user.demographic.age_range"),
        ("patient_weight", "user.health_and_medical"),
        ("customer_message", "user.content.private"),
    ] {
        match c.classify_name(name, false) {
            Some(got) if got.category == expected => {}
            other => problems.push(format!("{name}: expected {expected}, got {other:?}")),
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn exclusions_keep_metadata_names_out() {
    let v = &knowledge::get().vocabulary;
    let c = classify::get();
    let excluded: HashSet<&str> = v.exclude_tokens.iter().map(String::as_str).collect();
    let names: HashSet<&str> = v.exclude_names.iter().map(String::as_str).collect();
    // Named in the vocabulary's own documentation: each must contain an
    // excluded token or be an excluded name.
    for name in [
        "model_name",
        "file_name",
        "email_template",
        "name_servers",
        "address_space",
        "phone_model",
    ] {
        let tokens = classify::tokens(name);
        assert!(
            tokens.iter().any(|t| excluded.contains(t.as_str())) || names.contains(name),
            "{name} is not excluded by the vocabulary"
        );
    }
    // And none of these is personal, even read off a person object.
    let mut problems = Vec::new();
    for name in [
        "model_name",
        "file_name",
        "email_template",
        "name_servers",
        "address_space",
        "phone_model",
        "api_key",
        "access_token",
        "db_password",
        "DB_USER_NAME",
        "smtp_username",
        "email_regex",
        "phone_pattern",
        "ssn_format",
        "name_col",
        "user_count",
        "max_age",
        "min_age",
        "cache_age",
        "token_age",
        "fake_email",
        "hashed_email",
        "system_prompt",
        "gender_classifier",
    ] {
        if let Some(got) = c.classify_name(name, true) {
            problems.push(format!("{name} should never be personal, got {got:?}"));
        }
    }
    // Common AI-code names that are not personal without a person object.
    for name in [
        "messages",
        "prompt",
        "title",
        "page_title",
        "chat_title",
        "history",
        "chat_history",
        "content",
        "response",
        "position_ids",
        "class_weight",
        "sample_weight",
        "image_height",
        "stroke_width",
        "cv",
        "cv_results",
        "cv2",
        "resume_from_checkpoint",
        "system_fingerprint",
        "device_id",
        "device_ids",
        "ip_adapter",
        "server_ip",
        "wallet_address",
        "race_condition",
        "gender_bias",
        "voice_id",
        "temperature",
        "user_message",
        "user_input",
        "user_agent",
        "health_check",
        "zip_file",
        "iris",
        "std",
        "phi",
        "priors",
        "email_subject",
        "is_email_verified",
        "email_id",
        "bp",
        "user_bp",
        "user_home",
        "parent_id",
        "worker_id",
        "state_id",
    ] {
        if let Some(got) = c.classify_name(name, false) {
            problems.push(format!(
                "{name} should not be personal by name, got {got:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

// ------------------------------------------------------ literal patterns

/// Positive and negative examples per literal pattern, keyed by its `name`.
fn literal_examples(name: &str) -> Option<(&'static [&'static str], &'static [&'static str])> {
    Some(match name {
        "e-mail address" => (
            &[
                "jane.doe@example.org",
                "Contact: j_smith+ai@mail.co.uk.",
                "maria-lopez@acme-health.com",
            ][..],
            &[
                "@decorator",
                "user@localhost",
                "pip install pkg@1.2.3",
                "x @ y",
                "hello world",
            ][..],
        ),
        "phone number (international)" => (
            &[
                "+44 20 7946 0958",
                "+1-415-555-0132",
                "call +49 (30) 1234567 now",
                "+33612345678",
            ][..],
            &[
                "2024-01-15",
                "1.2.3.4",
                "+05:30",
                "version 10.4.1",
                "C++ 11",
                "+1",
                "4155550132",
            ][..],
        ),
        "phone number (North American)" => (
            &["(415) 555-0132", "415-555-0132", "call 415.555.0132"][..],
            &[
                "2024-01-15",
                "4155550132",
                "1.2.3.4",
                "123-45-6789",
                "v1.22.333",
            ][..],
        ),
        "US social security number" => (
            &["123-45-6789", "SSN: 536-22-1234"][..],
            &[
                "000-12-3456",
                "666-12-3456",
                "912-34-5678",
                "123-00-4567",
                "2024-01-15",
                "123456789",
            ][..],
        ),
        "payment card number" => (
            &[
                "4111 1111 1111 1111",
                "4111-1111-1111-1111",
                "5500000000000004",
                "3782 822463 10005",
                "card 6011000990139424",
            ][..],
            &[
                "1234567890123456",
                "2024-01-15",
                "1700000000000",
                "4111",
                "order 12345678",
            ][..],
        ),
        "IBAN" => (
            &[
                "DE89 3704 0044 0532 0130 00",
                "GB82WEST12345698765432",
                "FR1420041010050500013M02606",
            ][..],
            &["AB12", "DE89", "HELLO WORLD 1234", "ZZ12345678901234"][..],
        ),
        "UK National Insurance number" => (
            &["AB 12 34 56 C", "JG103759A"][..],
            &["AB1234", "DA 12 34 56 C", "hello", "AB 12 34 56 E"][..],
        ),
        _ => return None,
    })
}

#[test]
fn literal_regexes_compile_and_match_their_examples() {
    let v = &knowledge::get().vocabulary;
    assert!(!v.literals.is_empty());
    let mut problems = Vec::new();
    for literal in &v.literals {
        let re = match Regex::new(&literal.regex) {
            Ok(re) => re,
            Err(e) => {
                problems.push(format!("{}: regex does not compile: {e}", literal.name));
                continue;
            }
        };
        let Some((positives, negatives)) = literal_examples(&literal.name) else {
            problems.push(format!(
                "{}: add examples to tests/knowledge.rs",
                literal.name
            ));
            continue;
        };
        for p in positives {
            if !re.is_match(p) {
                problems.push(format!("{}: should match {p:?}", literal.name));
            }
        }
        for n in negatives {
            if let Some(m) = re.find(n) {
                problems.push(format!(
                    "{}: should not match {n:?} (matched {:?})",
                    literal.name,
                    m.as_str()
                ));
            }
        }
    }
    for name in [
        "e-mail address",
        "phone number (international)",
        "US social security number",
        "payment card number",
        "IBAN",
    ] {
        if !v.literals.iter().any(|l| l.name == name) {
            problems.push(format!("literal pattern {name} is missing"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn literal_classification_ignores_code_looking_strings() {
    let c = classify::get();
    assert_eq!(
        c.classify_literal("Reach Jane at jane.doe@example.org")
            .map(|l| l.0),
        Some("user.contact.email")
    );
    assert_eq!(
        c.classify_literal("SSN 536-22-1234").map(|l| l.0),
        Some("user.government_id.national_identification_number")
    );
    for text in [
        "gpt-4o-mini-2024-07-18",
        "2024-01-15T10:00:00Z",
        "version 1.22.333",
        "SELECT * FROM users WHERE id = 1234567",
        "https://example.com/v1/chat/completions",
        "noreply@example.com",
    ] {
        assert_eq!(
            c.classify_literal(text),
            None,
            "{text:?} is not personal data"
        );
    }
}

// ------------------------------------------------------ sink catalogue

#[test]
fn sink_patterns_are_well_formed() {
    let cat = &knowledge::get().python;
    let allowed = |c: char| c.is_ascii_alphanumeric() || "_.*()".contains(c);
    let mut problems = Vec::new();
    let mut api_kind = HashSet::new();
    for sink in &cat.sinks {
        if !api_kind.insert((sink.api.as_str(), sink.kind)) {
            problems.push(format!("duplicate sink {} ({:?})", sink.api, sink.kind));
        }
        if sink.calls.is_empty() {
            problems.push(format!("{}: no calls", sink.api));
        }
        if sink.provider.trim().is_empty() {
            problems.push(format!("{}: no provider", sink.api));
        }
        for call in &sink.calls {
            if call.is_empty() || !call.chars().all(allowed) {
                problems.push(format!("{}: bad call pattern {call:?}", sink.api));
            }
            if call.starts_with('*') {
                problems.push(format!(
                    "{}: {call:?} must start with a module name (the resolver filters calls by root)",
                    sink.api
                ));
            }
            if call.contains("***") || call.starts_with('.') || call.contains("..") {
                problems.push(format!("{}: malformed call pattern {call:?}", sink.api));
            }
            if call.contains('(') && call.replace("()", "").contains(['(', ')']) {
                problems.push(format!("{}: parentheses must be `()`: {call:?}", sink.api));
            }
        }
        for d in &sink.data {
            let ok = d == "$receiver"
                || d.strip_prefix('$')
                    .is_some_and(|n| n.parse::<usize>().is_ok())
                || (!d.starts_with('$')
                    && d.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
            if !ok {
                problems.push(format!("{}: bad data argument {d:?}", sink.api));
            }
        }
        for i in &sink.identifiers {
            if !i
                .split('.')
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            {
                problems.push(format!("{}: bad identifier argument {i:?}", sink.api));
            }
        }
    }
    for sanitizer in &cat.sanitizers {
        for call in &sanitizer.calls {
            if call.is_empty() || !call.chars().all(allowed) {
                problems.push(format!(
                    "sanitizer {}: bad call pattern {call:?}",
                    sanitizer.name
                ));
            }
        }
        for key in &sanitizer.categories {
            if !is_category(key) {
                problems.push(format!(
                    "sanitizer {}: unknown category {key}",
                    sanitizer.name
                ));
            }
        }
    }
    for call in cat
        .opaque_calls
        .iter()
        .chain(&cat.data_loaders)
        .chain(&cat.ml_modules)
    {
        if call.is_empty() || !call.chars().all(allowed) {
            problems.push(format!("bad pattern {call:?}"));
        }
    }
    for kind in SinkKind::ALL {
        if !cat.sinks.iter().any(|s| s.kind == kind) {
            problems.push(format!("no sink of kind {}", kind.as_str()));
        }
    }
    assert!(!cat.sanitizers.is_empty(), "no sanitizers");
    assert!(!cat.opaque_calls.is_empty(), "no opaque calls");
    assert!(!cat.data_loaders.is_empty(), "no data loaders");
    assert!(!cat.ml_modules.is_empty(), "no ML modules");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Resolved call paths of real code and the sink kind (and API) each must hit.
#[test]
fn the_catalogue_resolves_real_call_shapes() {
    use SinkKind::*;
    let r = sinks::resolver(Language::Python);
    let cases: &[(&str, SinkKind, &str)] = &[
        // OpenAI
        (
            "openai.OpenAI().chat.completions.create",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai.AsyncOpenAI().chat.completions.create",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai.AzureOpenAI().chat.completions.create",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai.OpenAI().beta.chat.completions.parse",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai.OpenAI().chat.completions.stream",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai.chat.completions.create",
            LlmInference,
            "openai.chat.completions.create",
        ),
        (
            "openai.ChatCompletion.create",
            LlmInference,
            "openai.completions.create",
        ),
        (
            "openai.OpenAI().responses.create",
            LlmInference,
            "openai.responses.create",
        ),
        (
            "openai.OpenAI().completions.create",
            LlmInference,
            "openai.completions.create",
        ),
        (
            "openai.OpenAI().batches.create",
            LlmInference,
            "openai.batches.create",
        ),
        (
            "openai.OpenAI().embeddings.create",
            Embedding,
            "openai.embeddings.create",
        ),
        (
            "openai.Embedding.create",
            Embedding,
            "openai.embeddings.create",
        ),
        (
            "openai.OpenAI().fine_tuning.jobs.create",
            FineTuning,
            "openai.fine_tuning.jobs.create",
        ),
        (
            "openai.OpenAI().files.create",
            DatasetUpload,
            "openai.files.create",
        ),
        ("openai.File.create", DatasetUpload, "openai.files.create"),
        (
            "openai.OpenAI().vector_stores.files.upload_and_poll",
            VectorStore,
            "openai.vector_stores.files.upload",
        ),
        // Anthropic
        (
            "anthropic.Anthropic().messages.create",
            LlmInference,
            "anthropic.messages.create",
        ),
        (
            "anthropic.AsyncAnthropic().messages.stream",
            LlmInference,
            "anthropic.messages.create",
        ),
        (
            "anthropic.AnthropicBedrock().messages.create",
            LlmInference,
            "anthropic.messages.create",
        ),
        (
            "anthropic.Anthropic().messages.count_tokens",
            LlmInference,
            "anthropic.messages.create",
        ),
        (
            "anthropic.Anthropic().beta.messages.create",
            LlmInference,
            "anthropic.messages.create",
        ),
        (
            "anthropic.Anthropic().messages.batches.create",
            LlmInference,
            "anthropic.messages.batches.create",
        ),
        (
            "anthropic.Anthropic().beta.files.upload",
            DatasetUpload,
            "anthropic.beta.files.upload",
        ),
        // Google
        (
            "google.genai.Client().models.generate_content",
            LlmInference,
            "google.genai.models.generate_content",
        ),
        (
            "google.genai.Client().aio.models.generate_content",
            LlmInference,
            "google.genai.models.generate_content",
        ),
        (
            "google.genai.Client().chats.create().send_message",
            LlmInference,
            "google.genai.chats.send_message",
        ),
        (
            "google.genai.Client().models.embed_content",
            Embedding,
            "google.genai.models.embed_content",
        ),
        (
            "google.genai.Client().tunings.tune",
            FineTuning,
            "google.genai.tunings.tune",
        ),
        (
            "google.genai.Client().files.upload",
            DatasetUpload,
            "google.genai.files.upload",
        ),
        (
            "google.generativeai.GenerativeModel().generate_content",
            LlmInference,
            "google.generativeai.GenerativeModel.generate_content",
        ),
        (
            "google.generativeai.GenerativeModel().start_chat().send_message",
            LlmInference,
            "google.generativeai.GenerativeModel.generate_content",
        ),
        (
            "google.generativeai.embed_content",
            Embedding,
            "google.generativeai.embed_content",
        ),
        (
            "vertexai.generative_models.GenerativeModel().generate_content",
            LlmInference,
            "vertexai.GenerativeModel.generate_content",
        ),
        // Cohere, Mistral, Bedrock, LiteLLM
        ("cohere.ClientV2().chat", LlmInference, "cohere.chat"),
        ("cohere.Client().v2.chat", LlmInference, "cohere.chat"),
        ("cohere.ClientV2().embed", Embedding, "cohere.embed"),
        (
            "cohere.Client().datasets.create",
            DatasetUpload,
            "cohere.datasets.create",
        ),
        (
            "cohere.Client().finetuning.create_finetuned_model",
            FineTuning,
            "cohere.finetuning.create_finetuned_model",
        ),
        (
            "mistralai.Mistral().chat.complete",
            LlmInference,
            "mistralai.chat.complete",
        ),
        (
            "mistralai.Mistral().chat.stream",
            LlmInference,
            "mistralai.chat.complete",
        ),
        (
            "mistralai.client.MistralClient().chat",
            LlmInference,
            "mistralai.chat.complete",
        ),
        (
            "mistralai.Mistral().embeddings.create",
            Embedding,
            "mistralai.embeddings.create",
        ),
        (
            "mistralai.Mistral().files.upload",
            DatasetUpload,
            "mistralai.files.upload",
        ),
        (
            "mistralai.Mistral().fine_tuning.jobs.create",
            FineTuning,
            "mistralai.fine_tuning.jobs.create",
        ),
        (
            "boto3.client().converse",
            LlmInference,
            "bedrock-runtime.converse",
        ),
        (
            "boto3.client().invoke_model",
            LlmInference,
            "bedrock-runtime.converse",
        ),
        (
            "boto3.Session().client().converse_stream",
            LlmInference,
            "bedrock-runtime.converse",
        ),
        (
            "boto3.session.Session().client().invoke_model",
            LlmInference,
            "bedrock-runtime.converse",
        ),
        (
            "boto3.client().create_model_customization_job",
            FineTuning,
            "bedrock.create_model_customization_job",
        ),
        ("litellm.completion", LlmInference, "litellm.completion"),
        ("litellm.acompletion", LlmInference, "litellm.completion"),
        ("litellm.embedding", Embedding, "litellm.embedding"),
        (
            "groq.Groq().chat.completions.create",
            LlmInference,
            "groq.chat.completions.create",
        ),
        (
            "cerebras.cloud.sdk.Cerebras().chat.completions.create",
            LlmInference,
            "chat.completions.create (OpenAI-compatible SDK)",
        ),
        // LangChain
        (
            "langchain_openai.ChatOpenAI().invoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "langchain_openai.ChatOpenAI().with_structured_output().invoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "langchain_anthropic.ChatAnthropic().ainvoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "langchain_community.chat_models.ChatOpenAI().predict",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "langchain.chat_models.ChatOpenAI()",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "langchain.chat_models.init_chat_model().invoke",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "langchain.llms.OpenAI().predict",
            LlmInference,
            "langchain.ChatModel.invoke",
        ),
        (
            "langchain.chains.LLMChain().run",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "langchain.chains.ConversationChain().predict",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "langchain.chains.RetrievalQA.from_chain_type().invoke",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "langchain.chains.ConversationalRetrievalChain.from_llm()",
            LlmInference,
            "langchain.Chain.invoke",
        ),
        (
            "langchain_openai.OpenAIEmbeddings().embed_documents",
            Embedding,
            "langchain.Embeddings.embed_documents",
        ),
        (
            "langchain_community.embeddings.HuggingFaceEmbeddings().embed_query",
            Embedding,
            "langchain.Embeddings.embed_documents",
        ),
        (
            "langchain_community.vectorstores.FAISS.from_documents",
            VectorStore,
            "langchain.VectorStore.add_documents",
        ),
        (
            "langchain_community.vectorstores.Chroma.from_texts",
            VectorStore,
            "langchain.VectorStore.add_documents",
        ),
        (
            "langchain_chroma.Chroma().add_texts",
            VectorStore,
            "langchain.VectorStore.add_documents",
        ),
        (
            "langchain_pinecone.PineconeVectorStore.from_documents",
            VectorStore,
            "langchain.VectorStore.add_documents",
        ),
        (
            "langchain_qdrant.QdrantVectorStore().aadd_documents",
            VectorStore,
            "langchain.VectorStore.add_documents",
        ),
        (
            "langchain_postgres.PGVector().add_documents",
            VectorStore,
            "langchain.VectorStore.add_documents",
        ),
        // LlamaIndex
        (
            "llama_index.core.VectorStoreIndex.from_documents",
            VectorStore,
            "llama_index.VectorStoreIndex.from_documents",
        ),
        (
            "llama_index.core.VectorStoreIndex.from_documents().insert",
            VectorStore,
            "llama_index.VectorStoreIndex.from_documents",
        ),
        (
            "llama_index.core.VectorStoreIndex",
            VectorStore,
            "llama_index.VectorStoreIndex.from_documents",
        ),
        (
            "llama_index.core.VectorStoreIndex.from_documents().as_query_engine().query",
            LlmInference,
            "llama_index.QueryEngine.query",
        ),
        (
            "llama_index.core.VectorStoreIndex.from_documents().as_chat_engine().chat",
            LlmInference,
            "llama_index.QueryEngine.query",
        ),
        (
            "llama_index.llms.openai.OpenAI().complete",
            LlmInference,
            "llama_index.QueryEngine.query",
        ),
        // Agent frameworks
        ("agents.Runner.run", LlmInference, "agents.Runner.run"),
        ("agents.Runner.run_sync", LlmInference, "agents.Runner.run"),
        (
            "agno.agent.Agent().run",
            LlmInference,
            "agno.agent.Agent.run",
        ),
        (
            "agno.agent.Agent().print_response",
            LlmInference,
            "agno.agent.Agent.run",
        ),
        ("agno.team.Team().run", LlmInference, "agno.agent.Agent.run"),
        (
            "google.adk.runners.Runner().run_async",
            LlmInference,
            "google.adk.runners.Runner.run_async",
        ),
        ("embedchain.App().add", VectorStore, "embedchain.App.add"),
        (
            "embedchain.App().query",
            LlmInference,
            "embedchain.App.query",
        ),
        // Local models
        ("ollama.chat", LocalInference, "ollama.chat"),
        ("ollama.generate", LocalInference, "ollama.chat"),
        (
            "langchain_ollama.ChatOllama().invoke",
            LocalInference,
            "ollama.chat",
        ),
        ("ollama.Client().chat", LlmInference, "ollama.Client.chat"),
        ("ollama.embed", Embedding, "ollama.embed"),
        ("ollama.embeddings", Embedding, "ollama.embed"),
        (
            "transformers.pipeline()",
            LocalInference,
            "transformers.pipeline",
        ),
        (
            "transformers.AutoModelForCausalLM.from_pretrained().generate",
            LocalInference,
            "transformers.generate",
        ),
        (
            "transformers.AutoModelForCausalLM.from_pretrained().to().generate",
            LocalInference,
            "transformers.generate",
        ),
        (
            "transformers.AutoModelForSequenceClassification.from_pretrained()",
            LocalInference,
            "transformers.generate",
        ),
        (
            "sentence_transformers.SentenceTransformer().encode",
            Embedding,
            "sentence_transformers.SentenceTransformer.encode",
        ),
        // Training and fine-tuning
        ("transformers.Trainer", Training, "transformers.Trainer"),
        (
            "transformers.Seq2SeqTrainer",
            Training,
            "transformers.Trainer",
        ),
        ("trl.SFTTrainer", FineTuning, "trl.SFTTrainer"),
        ("trl.DPOTrainer", FineTuning, "trl.SFTTrainer"),
        (
            "sentence_transformers.SentenceTransformerTrainer",
            Training,
            "transformers.Trainer",
        ),
        (
            "sentence_transformers.SentenceTransformer().fit",
            Training,
            "sentence_transformers.SentenceTransformer.fit",
        ),
        (
            "sklearn.ensemble.RandomForestClassifier().fit",
            Training,
            "sklearn.fit",
        ),
        (
            "sklearn.linear_model.LogisticRegression().partial_fit",
            Training,
            "sklearn.fit",
        ),
        (
            "sklearn.cluster.KMeans().fit_predict",
            Training,
            "sklearn.fit",
        ),
        ("sklearn.pipeline.Pipeline().fit", Training, "sklearn.fit"),
        (
            "sklearn.pipeline.make_pipeline().fit",
            Training,
            "sklearn.fit",
        ),
        (
            "sklearn.model_selection.GridSearchCV().fit",
            Training,
            "sklearn.fit",
        ),
        (
            "sklearn.model_selection.cross_val_score",
            Training,
            "sklearn.fit",
        ),
        ("xgboost.train", Training, "xgboost.train"),
        ("xgboost.XGBClassifier().fit", Training, "xgboost.train"),
        ("lightgbm.train", Training, "lightgbm.train"),
        ("lightgbm.LGBMClassifier().fit", Training, "lightgbm.train"),
        (
            "catboost.CatBoostClassifier().fit",
            Training,
            "catboost.fit",
        ),
        ("keras.Sequential().fit", Training, "keras.Model.fit"),
        ("keras.models.Sequential().fit", Training, "keras.Model.fit"),
        (
            "tensorflow.keras.Sequential().fit",
            Training,
            "keras.Model.fit",
        ),
        (
            "tensorflow.keras.models.Sequential().train_on_batch",
            Training,
            "keras.Model.fit",
        ),
        ("keras.Model().fit", Training, "keras.Model.fit"),
        (
            "torch.utils.data.DataLoader",
            Training,
            "torch.utils.data.DataLoader",
        ),
        ("surprise.SVD().fit", Training, "surprise.AlgoBase.fit"),
        (
            "surprise.model_selection.cross_validate",
            Training,
            "surprise.AlgoBase.fit",
        ),
        ("surprise.evaluate", Training, "surprise.AlgoBase.fit"),
        (
            "implicit.als.AlternatingLeastSquares().fit",
            Training,
            "implicit.fit",
        ),
        // Local inference on trained models
        (
            "sklearn.ensemble.RandomForestClassifier().predict",
            LocalInference,
            "model.predict",
        ),
        (
            "sklearn.linear_model.LogisticRegression().predict_proba",
            LocalInference,
            "model.predict",
        ),
        (
            "sklearn.ensemble.GradientBoostingClassifier().score",
            LocalInference,
            "model.predict",
        ),
        (
            "keras.Sequential().predict",
            LocalInference,
            "model.predict",
        ),
        (
            "xgboost.XGBClassifier().predict",
            LocalInference,
            "model.predict",
        ),
        ("joblib.load().predict", LocalInference, "model.predict"),
        (
            "pickle.load().predict_proba",
            LocalInference,
            "model.predict",
        ),
        (
            "implicit.als.AlternatingLeastSquares().recommend",
            LocalInference,
            "model.predict",
        ),
        // Uploads
        (
            "datasets.Dataset.from_pandas().push_to_hub",
            DatasetUpload,
            "datasets.Dataset.push_to_hub",
        ),
        (
            "datasets.load_dataset().push_to_hub",
            DatasetUpload,
            "datasets.Dataset.push_to_hub",
        ),
        (
            "transformers.Trainer().push_to_hub",
            DatasetUpload,
            "datasets.Dataset.push_to_hub",
        ),
        (
            "huggingface_hub.HfApi().upload_file",
            DatasetUpload,
            "huggingface_hub.HfApi.upload_file",
        ),
        (
            "huggingface_hub.upload_folder",
            DatasetUpload,
            "huggingface_hub.HfApi.upload_file",
        ),
        // Vector databases
        (
            "pinecone.Pinecone().Index().upsert",
            VectorStore,
            "pinecone.Index.upsert",
        ),
        (
            "pinecone.Index().upsert",
            VectorStore,
            "pinecone.Index.upsert",
        ),
        (
            "chromadb.Client().get_or_create_collection().add",
            VectorStore,
            "chromadb.Collection.add",
        ),
        (
            "chromadb.PersistentClient().create_collection().upsert",
            VectorStore,
            "chromadb.Collection.add",
        ),
        (
            "chromadb.HttpClient().get_collection().add",
            VectorStore,
            "chromadb.Collection.add",
        ),
        (
            "qdrant_client.QdrantClient().upsert",
            VectorStore,
            "qdrant_client.QdrantClient.upsert",
        ),
        (
            "qdrant_client.QdrantClient().add",
            VectorStore,
            "qdrant_client.QdrantClient.upsert",
        ),
        (
            "qdrant_client.QdrantClient().upload_points",
            VectorStore,
            "qdrant_client.QdrantClient.upsert",
        ),
        (
            "weaviate.Client().data_object.create",
            VectorStore,
            "weaviate.collection.data.insert",
        ),
        (
            "weaviate.connect_to_local().collections.get().data.insert",
            VectorStore,
            "weaviate.collection.data.insert",
        ),
        (
            "weaviate.connect_to_weaviate_cloud().collections.get().data.insert_many",
            VectorStore,
            "weaviate.collection.data.insert",
        ),
        (
            "weaviate.connect_to_local().collections.get().batch.dynamic().add_object",
            VectorStore,
            "weaviate.collection.data.insert",
        ),
    ];
    // Look-alikes that must not be sinks.
    let lookalikes = [
        "transformers.pipeline",
        "transformers.AutoTokenizer.from_pretrained()",
        "transformers.AutoModelForCausalLM.from_pretrained",
        "xgboost.DMatrix",
        "lightgbm.Dataset",
        "sklearn.preprocessing.StandardScaler().fit",
        "sklearn.preprocessing.StandardScaler().fit_transform",
        "sklearn.model_selection.train_test_split",
        "langchain_core.prompts.ChatPromptTemplate.from_messages().invoke",
        "langchain_core.prompts.PromptTemplate().format",
        "langchain_text_splitters.RecursiveCharacterTextSplitter().split_documents",
        "openai.OpenAI().models.list",
        "openai.OpenAI().files.retrieve",
        "anthropic.Anthropic().models.list",
        "twilio.rest.Client().messages.create",
        "stripe.Customer.create",
        "pymongo.MongoClient().customers.insert_one",
        "elasticsearch.Elasticsearch().index",
        "jwt.encode",
        "PIL.ImageOps.fit",
        "boto3.client().put_object",
        "chromadb.PersistentClient().get_or_create_collection().query",
        "pinecone.Pinecone().Index().query",
        "torch.utils.data.TensorDataset",
        "pandas.read_csv",
    ];
    let problems = sink_cases::resolution_problems(r, cases, &lookalikes);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn identifier_fields_are_declared_for_provider_user_ids() {
    let cat = &knowledge::get().python;
    let find = |api: &str| {
        cat.sinks
            .iter()
            .find(|s| s.api == api)
            .unwrap_or_else(|| panic!("sink {api} is missing"))
    };
    let chat = find("openai.chat.completions.create");
    assert!(chat.identifiers.iter().any(|i| i == "user"));
    assert!(chat.identifiers.iter().any(|i| i == "safety_identifier"));
    assert!(chat.data.iter().any(|d| d == "messages"));
    let messages = find("anthropic.messages.create");
    assert!(messages.identifiers.iter().any(|i| i == "metadata.user_id"));
    assert!(messages.data.iter().any(|d| d == "system"));
    // Identifiers are not also data arguments.
    for sink in &cat.sinks {
        for i in &sink.identifiers {
            let root = i.split('.').next().unwrap_or(i);
            assert!(
                !sink.data.iter().any(|d| d == root),
                "{}: {root} is both data and identifier",
                sink.api
            );
        }
    }
}

#[test]
fn sanitizers_opaque_calls_and_loaders_resolve() {
    let r = sinks::resolver(Language::Python);
    for path in [
        "hashlib.sha256",
        "hashlib.sha256().hexdigest",
        "hashlib.md5().hexdigest",
        "hashlib.blake2b",
        "hmac.new",
        "hmac.new().hexdigest",
        "presidio_anonymizer.AnonymizerEngine().anonymize",
        "scrubadub.clean",
        "scrubadub.Scrubber().clean",
        "uuid.uuid5",
    ] {
        assert!(r.sanitizer(path).is_some(), "{path} should be a sanitizer");
    }
    for path in [
        "presidio_analyzer.AnalyzerEngine().analyze",
        "bleach.clean",
        "base64.b64encode",
        "uuid.uuid4",
        "bcrypt.hashpw",
    ] {
        assert!(r.sanitizer(path).is_none(), "{path} is not a PII sanitizer");
    }
    let hashing = r
        .sanitizer("hashlib.sha256")
        .expect("hashlib is a sanitizer");
    assert!(
        !hashing
            .categories
            .iter()
            .any(|c| knowledge::key_has_prefix("user.authorization.password", c)),
        "a hashed password is still a credential"
    );
    for path in ["len", "bool", "isinstance", "hash", "logging.info"] {
        assert!(r.is_opaque(path), "{path} should be opaque");
    }
    for path in ["str", "int", "float", "sorted", "re.match", "json.dumps"] {
        assert!(!r.is_opaque(path), "{path} passes its data through");
    }
    for path in [
        "pandas.read_csv()",
        "pandas.read_parquet().dropna()",
        "pandas.read_sql_query()",
        "pandas.DataFrame()",
        "polars.read_csv()",
        "datasets.load_dataset()",
        "numpy.loadtxt()",
        "csv.DictReader()",
    ] {
        assert!(r.is_loaded_table(path), "{path} should be a loaded table");
    }
    for module in [
        "sklearn",
        "xgboost",
        "lightgbm",
        "tensorflow",
        "keras",
        "torch",
        "surprise",
    ] {
        assert!(
            r.ml_modules().iter().any(|m| m == module),
            "{module} should be an ML module"
        );
    }
}
