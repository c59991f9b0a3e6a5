//! `privacy-lens explain`: rules, data categories, risks and tag keys, and
//! suggestions for what it does not know.

use assert_cmd::Command;
use predicates::prelude::*;

fn explain(query: &str) -> assert_cmd::assert::Assert {
    let mut cmd: Command = assert_cmd::cargo::cargo_bin_cmd!("privacy-lens");
    cmd.args(["explain", query])
        .env_remove("RUST_LOG")
        .env("NO_COLOR", "1")
        .assert()
}

#[test]
fn a_rule_by_code_or_name() {
    let docs = privacy_lens::rules::QUASI_IDENTIFIERS_IN_TRAINING.docs;
    for query in ["PL120", "pl120", "quasi-identifiers-in-training"] {
        explain(query)
            .code(0)
            .stdout(predicate::str::starts_with(docs.trim_end()));
    }
}

#[test]
fn a_data_category() {
    explain("user.health_and_medical")
        .code(0)
        .stdout(predicate::str::contains("Health and Medical Data"))
        .stdout(predicate::str::contains("GDPR Art. 9"))
        .stdout(predicate::str::contains("HIPAA"));
    explain("user.demographic.date_of_birth")
        .code(0)
        .stdout(predicate::str::contains("Quasi-identifier"))
        .stdout(predicate::str::contains("87 %"));
    explain("user.childrens")
        .code(0)
        .stdout(predicate::str::contains("COPPA"));
}

#[test]
fn a_risk() {
    explain("memorization")
        .code(0)
        .stdout(predicate::str::contains("Carlini"))
        .stdout(predicate::str::contains("**Key figure:**"))
        .stdout(predicate::str::contains("Deduplicate"));
    explain("membership-inference")
        .code(0)
        .stdout(predicate::str::contains("Shokri"));
    explain("embedding-inversion")
        .code(0)
        .stdout(predicate::str::contains("92 %"));
}

#[test]
fn data_uses_subjects_bases_kinds_and_fields() {
    explain("train_ai_system")
        .code(0)
        .stdout(predicate::str::contains("data use"))
        .stdout(predicate::str::contains("Art. 5(1)(b)"));
    explain("patient")
        .code(0)
        .stdout(predicate::str::contains("data subject"));
    explain("legitimate_interests")
        .code(0)
        .stdout(predicate::str::contains("Art. 6(1)(f)"));
    explain("fine_tuning")
        .code(0)
        .stdout(predicate::str::contains("PL106"));
    explain("retention")
        .code(0)
        .stdout(predicate::str::contains("tag field"));
}

#[test]
fn unknown_exits_two_with_close_suggestions() {
    explain("memorisation")
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "nothing to explain for `memorisation`",
        ))
        .stderr(predicate::str::contains("did you mean `memorization`"));
    explain("user.contact.emial")
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "`user.contact.email` (data category)",
        ));
    explain("train_ai_sytem")
        .code(2)
        .stderr(predicate::str::contains("`train_ai_system` (data use)"));
    explain("PL10l")
        .code(2)
        .stderr(predicate::str::contains("did you mean `PL101`"));
    // Nothing close: list what can be explained instead.
    explain("zzzz")
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("help: risks: "))
        .stderr(predicate::str::contains("memorization"));
}
