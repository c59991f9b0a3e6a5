//! The JSON findings for the bundled demo, end to end through the real
//! binary: a snapshot of the contract as users see it, validated against
//! `docs/findings.schema.json`. A change in what the analysis finds in
//! `examples/` shows up here as a reviewable diff.

mod common;

use assert_cmd::Command;
use serde_json::Value;

#[test]
fn demo_json_snapshot() {
    let output = Command::cargo_bin("privacy-lens")
        .expect("binary builds")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "examples", "--format", "json", "--no-progress"])
        .output()
        .expect("runs");
    // Findings exist, so the exit status is 1.
    assert_eq!(
        output.status.code(),
        Some(1),
        "stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut json: Value = serde_json::from_slice(&output.stdout).expect("stdout is JSON");
    common::validate(&json).expect("output follows the findings schema");
    json["tool"]["version"] = Value::String("[version]".into());
    let findings = json["findings"].as_array().expect("findings array");
    // Five planted flows (three in Python, two in the TypeScript web
    // service), plus PL120 on the training call (quasi-identifiers), plus
    // the flow declared by a tag in assistant/triage.py.
    assert_eq!(
        findings.len(),
        7,
        "the demo plants five flows, one quasi-identifier set and one declared flow"
    );
    insta::assert_json_snapshot!("demo_findings", json);
}
