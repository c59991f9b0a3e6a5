//! `privacy-lens report`: the inventory of the demo in every format
//! (snapshots), the HTML page's self-containment, `--output`, and the Fides
//! manifest validated by the `fideslang` Python package.
//!
//! The Fides validation needs a Python with `fideslang`: set
//! `PRIVACY_LENS_PYTHON` to its interpreter (`.ci/run` makes a virtual
//! environment and sets it), or have `python3` import it. Without one the
//! test is skipped with a message, unless `PRIVACY_LENS_REQUIRE_FIDESLANG` is
//! set (as `.ci/run` does), when it fails.

use std::path::{Path, PathBuf};
use std::process::Command as Std;

use assert_cmd::Command;
use privacy_lens::analysis::{self, AnalysisOptions};
use privacy_lens::check::{CheckResult, CheckedFile};
use privacy_lens::language::Language;
use privacy_lens::report::{fides, inventory};
use serde_json::Value;
use tempfile::TempDir;

fn report(format: &str) -> String {
    let output = Command::cargo_bin("privacy-lens")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "examples", "--no-progress", "--format", format])
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "a report is not a gate; stderr: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "[version]")
}

#[test]
fn markdown_snapshot() {
    let md = report("markdown");
    assert!(md.contains("```mermaid\nflowchart LR\n"));
    insta::assert_snapshot!("demo_report_markdown", md);
}

#[test]
fn html_snapshot_and_self_containment() {
    let html = report("html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg role=\"img\""));
    // Systems, flows, categories and the AI calls without personal data.
    assert_eq!(html.matches("<table class=\"sortable\"").count(), 4);
    // Works offline: nothing is fetched from anywhere.
    for needle in [
        "http://",
        "https://",
        " src=",
        "<link",
        "@import",
        "url(",
        "@font-face",
    ] {
        assert!(
            !html.contains(needle),
            "the page must not reference {needle}"
        );
    }
    // Every opened element is closed the way a parser expects.
    for tag in ["table", "svg", "script", "style", "tbody", "thead"] {
        assert_eq!(
            html.matches(&format!("<{tag}")).count(),
            html.matches(&format!("</{tag}>")).count(),
            "<{tag}> balanced"
        );
    }
    insta::assert_snapshot!("demo_report_html", html);
}

#[test]
fn json_snapshot() {
    let json: Value = serde_json::from_str(&report("json")).unwrap();
    assert_eq!(json["version"], 1);
    let summary = &json["summary"];
    assert_eq!(summary["flows"], 6);
    assert_eq!(summary["declared"], 1);
    assert_eq!(summary["undeclared"], 5);
    // PL105 and PL120 on the training call are one flow.
    let training: Vec<&Value> = json["flows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["api"] == "sklearn.fit")
        .collect();
    assert_eq!(training.len(), 1);
    assert_eq!(training[0]["codes"], serde_json::json!(["PL105", "PL120"]));
    // The health check's ping, the FAQ index and the web health route.
    assert_eq!(json["other_calls"].as_array().unwrap().len(), 3);
    validate_inventory(&json).expect("follows docs/inventory.schema.json");
    let mut broken = json.clone();
    broken["flows"][0]["status"] = "maybe".into();
    assert!(validate_inventory(&broken).is_err(), "the schema enforces");
    insta::assert_json_snapshot!("demo_report_json", json);
}

#[test]
fn fides_snapshot_and_validation() {
    let yaml = report("fides");
    assert!(yaml.contains("privacy_declarations:\n"));
    assert!(yaml.contains("# Undeclared flows (5)"));
    insta::assert_snapshot!("demo_report_fides", yaml);
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("privacy-lens.fides.yml");
    std::fs::write(&path, &yaml).unwrap();
    if let Some(result) = fideslang_validate(&path) {
        let message = result.expect("fideslang accepts the manifest");
        assert_eq!(message, "valid: 1 system(s), 1 privacy declaration(s)");
    }
}

#[test]
fn the_fides_validator_rejects_broken_manifests() {
    let yaml = report("fides");
    let dir = TempDir::new().unwrap();
    let breakages = [
        (
            "unknown data use",
            yaml.replace("\"essential.service\"\n", "\"essential.servce\"\n"),
        ),
        (
            "unknown category",
            yaml.replace("- \"user.name\"", "- \"user.nam\""),
        ),
        (
            "unknown subject",
            yaml.replace("- \"customer\"", "- \"customers\""),
        ),
        (
            "bad legal basis",
            yaml.replace("\"Contract\"", "\"Contractual\""),
        ),
        (
            "no data use",
            yaml.replace("        data_use: \"essential.service\"\n", ""),
        ),
    ];
    for (what, broken) in breakages {
        assert_ne!(broken, yaml, "{what}: the breakage applies");
        let path = dir.path().join("broken.yml");
        std::fs::write(&path, &broken).unwrap();
        if let Some(result) = fideslang_validate(&path) {
            assert!(result.is_err(), "{what} must not validate");
        } else {
            return;
        }
    }
}

/// Partial tags, unknown keys and special categories in the Fides export,
/// validated by fideslang as well.
#[test]
fn fides_export_of_partial_tags_and_special_categories() {
    let text = r#"from openai import OpenAI
from sklearn.linear_model import LogisticRegression

client = OpenAI()

def advise(patient):
    prompt = f"{patient.full_name} {patient.email} diagnosis: {patient.diagnosis}"
    # @data-use essential.service data=user.name,user.health_and_medical subject=patient basis=consent retention=6m
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])

def train(frame):
    # @data-use train_ai_system data=user.demographic,user.contact.address.postal_code basis=legitimate_interests safeguards=generalized ref=DPIA-42
    LogisticRegression().fit(frame[["age", "postal_code", "gender", "email"]], frame["churned"])

def note(user):
    # @data-use made_up_use data=user.name
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": user.full_name}])
"#;
    let analysis = analysis::analyze(text, Language::Python, &AnalysisOptions::default());
    let file = CheckedFile::new("clinic/advice.py", Language::Python, text, analysis);
    let result = CheckResult::from_files(vec![file], Vec::new());
    let inventory = inventory::build(&result, &["clinic".to_string()]);
    assert_eq!(inventory.summary.flows, 3);
    // The tags miss the e-mail; an unknown use still declares its data
    // (PL202 reports the key).
    assert_eq!(inventory.summary.partially_declared, 2, "{inventory:#?}");
    assert_eq!(inventory.summary.declared, 1);
    assert_eq!(inventory.summary.tag_problems, 1);
    validate_inventory(&serde_json::to_value(&inventory).unwrap()).unwrap();
    let options = fides::FidesOptions {
        fides_key: "clinic_assistant".into(),
        name: "Clinic assistant".into(),
        organization: "default_organization".into(),
    };
    let mut out = Vec::new();
    fides::write(&mut out, &inventory, &options).unwrap();
    let yaml = String::from_utf8(out).unwrap();
    insta::assert_snapshot!("fides_partial_tags", yaml);
    assert!(yaml.contains("processes_special_category_data: true"));
    assert!(yaml.contains("# not declared by the tag at clinic/advice.py:9"));
    assert!(yaml.contains("the tag's use `made_up_use` is not a fideslang data use"));
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("clinic.yml");
    std::fs::write(&path, &yaml).unwrap();
    if let Some(result) = fideslang_validate(&path) {
        assert_eq!(
            result.expect("fideslang accepts the manifest"),
            "valid: 1 system(s), 2 privacy declaration(s)"
        );
    }
}

#[test]
fn output_is_written_atomically_where_asked() {
    let dir = TempDir::new().unwrap();
    let target = dir.path().join("inventory.html");
    std::fs::write(&target, "old").unwrap();
    let output = Command::cargo_bin("privacy-lens")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "report",
            "examples",
            "--no-progress",
            "--format",
            "html",
            "-o",
        ])
        .arg(&target)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(output.stdout.is_empty(), "nothing on stdout with --output");
    let written = std::fs::read_to_string(&target)
        .unwrap()
        .replace(env!("CARGO_PKG_VERSION"), "[version]");
    assert_eq!(written, report("html"));
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["inventory.html"], "no temporary file left behind");

    let missing = dir.path().join("no/such/dir/report.md");
    let output = Command::cargo_bin("privacy-lens")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["report", "examples", "--no-progress", "-o"])
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot write"));
}

#[test]
fn fides_system_key_and_name_options() {
    let run = |key: &str| {
        Command::cargo_bin("privacy-lens")
            .unwrap()
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .args(["report", "examples", "--no-progress", "--format", "fides"])
            .args([
                "--system-key",
                key,
                "--system-name",
                "Acme \"support\" assistant",
            ])
            .output()
            .unwrap()
    };
    let output = run("acme.support-assistant");
    assert_eq!(output.status.code(), Some(0));
    let yaml = String::from_utf8(output.stdout).unwrap();
    assert!(yaml.contains("  - fides_key: \"acme.support-assistant\"\n"));
    assert!(yaml.contains("    name: \"Acme \\\"support\\\" assistant\"\n"));
    let output = run("acme support");
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--system-key"));
}

#[test]
fn an_empty_project_has_an_empty_inventory() {
    let dir = TempDir::new().unwrap();
    std::fs::write(dir.path().join("clean.py"), "print('hello')\n").unwrap();
    for (format, expected) in [
        ("markdown", "No personal data reaches an AI call."),
        ("html", "No personal data reaches an AI call."),
        ("fides", "privacy_declarations: []"),
        ("json", "\"flows\": []"),
    ] {
        let output = Command::cargo_bin("privacy-lens")
            .unwrap()
            .current_dir(dir.path())
            .args(["report", ".", "--no-progress", "--format", format])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0));
        let text = String::from_utf8(output.stdout).unwrap();
        assert!(text.contains(expected), "{format}: {text}");
    }
}

fn validate_inventory(value: &Value) -> Result<(), String> {
    let schema: Value = serde_json::from_str(include_str!("../docs/inventory.schema.json"))
        .expect("the schema is JSON");
    let validator = jsonschema::validator_for(&schema).map_err(|e| e.to_string())?;
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// Runs `tests/fides/validate.py` on `path`: `Some(Ok(summary))` when it
/// validates, `Some(Err(problems))` when it does not, `None` when no Python
/// with fideslang is available (and it is not required).
fn fideslang_validate(path: &Path) -> Option<Result<String, String>> {
    let python = fideslang_python()?;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fides/validate.py");
    let output = Std::new(&python)
        .arg(script)
        .arg(path)
        .output()
        .expect("python runs");
    let stdout = String::from_utf8_lossy(&output.stdout).trim().to_string();
    if output.status.success() {
        Some(Ok(stdout))
    } else {
        Some(Err(format!(
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )))
    }
}

fn fideslang_python() -> Option<PathBuf> {
    let candidates: Vec<PathBuf> = match std::env::var_os("PRIVACY_LENS_PYTHON") {
        Some(python) => vec![PathBuf::from(python)],
        None => vec![PathBuf::from("python3")],
    };
    for python in candidates {
        let imports = Std::new(&python)
            .args(["-c", "import fideslang, yaml"])
            .output()
            .is_ok_and(|o| o.status.success());
        if imports {
            return Some(python);
        }
    }
    if std::env::var_os("PRIVACY_LENS_REQUIRE_FIDESLANG").is_some() {
        panic!(
            "PRIVACY_LENS_REQUIRE_FIDESLANG is set but no Python imports fideslang (set PRIVACY_LENS_PYTHON)"
        );
    }
    eprintln!(
        "skipped: Fides validation needs a Python with fideslang (pip install fideslang; set PRIVACY_LENS_PYTHON)"
    );
    None
}

/// The README shows the demo's diagram; it must be the one the tool draws.
#[test]
fn the_readme_shows_the_current_demo_diagram() {
    let block = |text: &str| -> String {
        let start = text.find("```mermaid\n").expect("a mermaid block");
        let rest = &text[start..];
        let end = rest[3..].find("```").expect("closed") + 6;
        rest[..end].to_string()
    };
    let readme =
        std::fs::read_to_string(format!("{}/README.md", env!("CARGO_MANIFEST_DIR"))).unwrap();
    assert_eq!(
        block(&readme),
        block(&report("markdown")),
        "regenerate the README's diagram: privacy-lens report examples"
    );
}
