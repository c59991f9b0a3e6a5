//! `check --format sarif`: the demo's log is validated against the official
//! SARIF 2.1.0 schema (vendored in `tests/schemas/`, see its README), the
//! same validator rejects broken logs, GitHub code scanning's own
//! requirements hold, and fingerprints survive unrelated edits.

mod common;

use std::sync::LazyLock;

use assert_cmd::Command;
use privacy_lens::analysis::{self, AnalysisOptions};
use privacy_lens::check::{CheckResult, CheckedFile};
use privacy_lens::language::Language;
use privacy_lens::report::sarif;
use serde_json::{Value, json};

static VALIDATOR: LazyLock<jsonschema::Validator> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(include_str!("schemas/sarif-schema-2.1.0.json"))
        .expect("the vendored schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
});

fn validate(log: &Value) -> Result<(), String> {
    let errors: Vec<String> = VALIDATOR
        .iter_errors(log)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

fn demo_sarif() -> Value {
    let output = Command::cargo_bin("privacy-lens")
        .expect("binary builds")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "examples", "--format", "sarif", "--no-progress"])
        .output()
        .expect("runs");
    assert_eq!(
        output.status.code(),
        Some(1),
        "findings exit 1; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is JSON")
}

#[test]
fn demo_sarif_validates_against_the_official_schema() {
    let log = demo_sarif();
    validate(&log).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(!log["runs"][0]["results"].as_array().unwrap().is_empty());
}

#[test]
fn demo_sarif_snapshot() {
    let mut log = demo_sarif();
    let run = &mut log["runs"][0];
    let root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
        .as_str()
        .expect("the working directory is the source root");
    assert!(
        root.starts_with("file:///") && root.ends_with('/'),
        "{root}"
    );
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///[root]/".into();
    run["tool"]["driver"]["version"] = "[version]".into();
    run["tool"]["driver"]["semanticVersion"] = "[version]".into();
    // Rule help is the documentation (tested in rules_doc.rs); keep the
    // snapshot about the log's structure.
    for rule in run["tool"]["driver"]["rules"].as_array_mut().unwrap() {
        let help = rule["help"]["markdown"].as_str().unwrap();
        assert!(help.starts_with(&format!("# {}", rule["id"].as_str().unwrap())));
        assert_eq!(rule["help"]["text"], rule["help"]["markdown"]);
        rule["help"] = json!({ "text": "[docs]", "markdown": "[docs]" });
    }
    insta::assert_json_snapshot!("demo_sarif", log);
}

#[test]
fn the_validator_rejects_broken_logs() {
    let good = demo_sarif();
    validate(&good).unwrap();
    type Breakage = (&'static str, fn(&mut Value));
    let breakages: [Breakage; 7] = [
        ("wrong version", |v| v["version"] = "2.0.0".into()),
        ("unknown level", |v| {
            v["runs"][0]["results"][0]["level"] = "fatal".into()
        }),
        ("result without message", |v| {
            v["runs"][0]["results"][0]
                .as_object_mut()
                .unwrap()
                .remove("message");
        }),
        ("zero line", |v| {
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                0.into()
        }),
        ("driver without name", |v| {
            v["runs"][0]["tool"]["driver"]
                .as_object_mut()
                .unwrap()
                .remove("name");
        }),
        ("unknown top-level property", |v| v["extra"] = true.into()),
        ("bad suppression kind", |v| {
            v["runs"][0]["results"][0]["suppressions"] = json!([{ "kind": "ignored" }])
        }),
    ];
    for (what, breakage) in breakages {
        let mut broken = good.clone();
        breakage(&mut broken);
        assert!(validate(&broken).is_err(), "{what} should not validate");
    }
}

/// What GitHub code scanning needs beyond the schema.
#[test]
fn demo_sarif_meets_github_code_scanning_requirements() {
    let log = demo_sarif();
    let run = &log["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    for rule in rules {
        assert!(rule["shortDescription"]["text"].as_str().unwrap().len() > 10);
        assert!(rule["fullDescription"]["text"].as_str().unwrap().len() > 40);
        assert!(rule["help"]["markdown"].as_str().unwrap().contains("## "));
    }
    let results = run["results"].as_array().unwrap();
    let mut prints = std::collections::HashSet::new();
    for result in results {
        let id = result["ruleId"].as_str().unwrap();
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(ids[index], id, "ruleIndex points at the rule");
        let location = &result["locations"][0]["physicalLocation"];
        let uri = location["artifactLocation"]["uri"].as_str().unwrap();
        assert!(
            uri.starts_with("examples/") && !uri.contains('\\'),
            "repository-relative URI: {uri}"
        );
        assert!(location["region"]["startLine"].as_u64().unwrap() >= 1);
        let print = result["partialFingerprints"]["privacyLensFlow/v1"]
            .as_str()
            .unwrap();
        assert!(prints.insert(print.to_string()), "fingerprints are unique");
        if result["properties"]["sinkKind"].is_string() {
            let steps = result["codeFlows"][0]["threadFlows"][0]["locations"]
                .as_array()
                .unwrap();
            assert!(steps.len() >= 2, "a flow has a source and a sink");
            let related = result["relatedLocations"].as_array().unwrap();
            assert!(!related.is_empty());
            // The message links every source.
            let message = result["message"]["text"].as_str().unwrap();
            for r in related {
                assert!(message.contains(&format!("]({})", r["id"])), "{message}");
            }
            assert!(
                !result["properties"]["categories"]
                    .as_array()
                    .unwrap()
                    .is_empty()
            );
        }
    }
    // The declared flow in the demo (assistant/triage.py) is suppressed in
    // source, with its tag as the justification; undeclared ones are not.
    let declared: Vec<&Value> = results
        .iter()
        .filter(|r| r["properties"]["status"] == "declared")
        .collect();
    assert_eq!(declared.len(), 1);
    assert_eq!(declared[0]["suppressions"][0]["kind"], "inSource");
    assert!(
        declared[0]["suppressions"][0]["justification"]
            .as_str()
            .unwrap()
            .starts_with("@data-use essential.service")
    );
    assert!(
        results
            .iter()
            .filter(|r| r["properties"]["status"] == "undeclared")
            .all(|r| r.get("suppressions").is_none())
    );
}

const SERVICE: &str = r#"from openai import OpenAI

client = OpenAI()

def reply(user, ticket):
    prompt = f"{user.full_name} <{user.email}> asks: {ticket.body}"
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
"#;

fn prints(text: &str) -> Vec<String> {
    let analysis = analysis::analyze(text, Language::Python, &AnalysisOptions::default());
    let file = CheckedFile::new("app/service.py", Language::Python, text, analysis);
    let result = CheckResult::from_files(vec![file], Vec::new());
    let log = sarif::document(&result, None);
    log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            r["partialFingerprints"]["privacyLensFlow/v1"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn fingerprints_survive_unrelated_edits_and_change_with_the_flow() {
    let before = prints(SERVICE);
    assert_eq!(before.len(), 1);
    // Lines above, a new helper, different indentation of the call.
    let edited = SERVICE
        .replace(
            "client = OpenAI()\n",
            "import logging\n\nlog = logging.getLogger(__name__)\nclient = OpenAI()\n\ndef ping():\n    return 1\n",
        )
        .replace("model=\"gpt-4o\", ", "model=\"gpt-4o\",\n        ");
    assert_eq!(prints(&edited), before, "unrelated edits keep the identity");

    let more_data = SERVICE.replace("<{user.email}>", "<{user.email}> {user.phone_number}");
    assert_ne!(prints(&more_data), before, "a new category is a new flow");

    // The same flow twice: two fingerprints, told apart by occurrence.
    let twice = format!(
        "{SERVICE}\ndef again(user, ticket):\n    prompt = f\"{{user.full_name}} <{{user.email}}> asks: {{ticket.body}}\"\n    return client.chat.completions.create(model=\"gpt-4o\", messages=[{{\"role\": \"user\", \"content\": prompt}}])\n"
    );
    let both = prints(&twice);
    assert_eq!(both.len(), 2);
    assert_eq!(both[0], before[0]);
    assert_ne!(both[0], both[1]);
    assert_eq!(both[0].split(':').next(), both[1].split(':').next());
}

#[test]
fn an_empty_run_is_a_valid_log() {
    let log = sarif::document(&CheckResult::default(), None);
    validate(&log).unwrap();
    assert_eq!(log["runs"][0]["results"], json!([]));
    // Hand-built results with notes and skipped files, too.
    let log = sarif::document(
        &common::sample_result(),
        Some(std::path::Path::new("/srv/my app")),
    );
    validate(&log).unwrap();
    assert_eq!(
        log["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["uri"],
        "file:///srv/my%20app/"
    );
}

#[test]
fn files_outside_the_working_directory_get_file_uris() {
    let analysis = analysis::analyze(SERVICE, Language::Python, &AnalysisOptions::default());
    let file = CheckedFile::new(
        "/srv/other app/chat ü.py",
        Language::Python,
        SERVICE,
        analysis,
    );
    let result = CheckResult::from_files(vec![file], Vec::new());
    let log = sarif::document(&result, Some(std::path::Path::new("/home/me")));
    validate(&log).unwrap();
    let artifact =
        &log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(artifact["uri"], "file:///srv/other%20app/chat%20%C3%BC.py");
    assert!(artifact.get("uriBaseId").is_none());
}
