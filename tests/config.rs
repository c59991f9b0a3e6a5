//! Project configuration through the real binary on temporary directories:
//! discovery, `pyproject.toml`, `--config`/`--no-config`, validation errors
//! (exit status 2, file, line and key), unknown-key warnings, and the effect
//! of severities, disabled rules, excludes, policies and extensions on
//! `check --format json`.

use std::fs;
use std::path::Path;

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use tempfile::TempDir;

/// `privacy-lens` run inside `dir`, with a plain environment.
fn cmd(dir: &Path) -> Command {
    let mut cmd = assert_cmd::cargo::cargo_bin_cmd!("privacy-lens");
    cmd.current_dir(dir)
        .env_remove("RUST_LOG")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_COLOR");
    cmd
}

fn write(root: &Path, path: &str, contents: &str) {
    let path = root.join(path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, contents).unwrap();
}

/// Runs `check --format json` in `dir` with extra arguments; asserts the run
/// was not a usage/configuration failure and returns the findings.
fn findings(dir: &Path, args: &[&str]) -> Vec<Value> {
    report(dir, args)["findings"].as_array().unwrap().clone()
}

fn report(dir: &Path, args: &[&str]) -> Value {
    let output = cmd(dir)
        .args(["check", "--format", "json"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        matches!(output.status.code(), Some(0 | 1)),
        "unexpected status {:?}: {}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is one JSON document")
}

fn codes(findings: &[Value]) -> Vec<&str> {
    findings
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect()
}

/// One PL101 (an e-mail to OpenAI) at line 4.
const LEAK: &str = "from openai import OpenAI\nclient = OpenAI()\ndef f(user):\n    client.chat.completions.create(model=\"m\", messages=[{\"role\": \"user\", \"content\": user.email}])\n";

#[test]
fn configuration_is_discovered_walking_up_from_the_checked_path() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\ndisable = [\"PL101\"]\n",
    );
    write(dir.path(), "app/deep/chat.py", LEAK);

    // A directory argument two levels below the configuration.
    assert!(findings(dir.path(), &["app/deep"]).is_empty());
    // A file argument: the search starts in its directory.
    assert!(findings(dir.path(), &["app/deep/chat.py"]).is_empty());
    // From another working directory, with an absolute path.
    let elsewhere = TempDir::new().unwrap();
    let file = dir.path().join("app/deep/chat.py");
    assert!(findings(elsewhere.path(), &[file.to_str().unwrap()]).is_empty());
    // The nearest file wins.
    write(dir.path(), "app/privacy-lens.toml", "");
    assert_eq!(codes(&findings(dir.path(), &["app/deep"])), ["PL101"]);
}

#[test]
fn no_config_ignores_the_file() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\ndisable = [\"PL101\"]\n",
    );
    write(dir.path(), "chat.py", LEAK);
    assert!(findings(dir.path(), &[]).is_empty());
    assert_eq!(codes(&findings(dir.path(), &["--no-config"])), ["PL101"]);
}

#[test]
fn pyproject_tool_section_is_read() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "pyproject.toml",
        "[project]\nname = \"demo\"\n\n[tool.privacy-lens.rules]\nseverity = { personal-data-to-llm = \"info\" }\n",
    );
    write(dir.path(), "src/chat.py", LEAK);
    let found = findings(dir.path(), &["src"]);
    assert_eq!(codes(&found), ["PL101"]);
    assert_eq!(found[0]["severity"], "info");

    // privacy-lens.toml in the same directory wins.
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\nseverity = { PL101 = \"hint\" }\n",
    );
    assert_eq!(findings(dir.path(), &["src"])[0]["severity"], "hint");
}

#[test]
fn pyproject_without_the_section_is_passed_over() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\ndisable = [\"PL101\"]\n",
    );
    write(
        dir.path(),
        "app/pyproject.toml",
        "[project]\nname = \"app\"\n",
    );
    write(dir.path(), "app/chat.py", LEAK);
    assert!(findings(dir.path(), &["app"]).is_empty());
}

#[test]
fn explicit_config_overrides_discovery() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\ndisable = [\"PL101\"]\n",
    );
    write(
        dir.path(),
        "ci/strict.toml",
        "[rules]\nseverity = { PL101 = \"error\" }\n",
    );
    write(dir.path(), "chat.py", LEAK);
    let found = findings(dir.path(), &["--config", "ci/strict.toml"]);
    assert_eq!(codes(&found), ["PL101"]);
    assert_eq!(found[0]["severity"], "error");

    cmd(dir.path())
        .args(["check", "--config", "missing.toml"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("missing.toml"));
}

#[test]
fn severity_override_changes_the_json_severity() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "chat.py", LEAK);
    assert_eq!(findings(dir.path(), &[])[0]["severity"], "warning");
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\nseverity = { PL101 = \"error\" }\n",
    );
    assert_eq!(findings(dir.path(), &[])[0]["severity"], "error");
    // Lowered below --fail-on, the run passes.
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules.severity]\npersonal-data-to-llm = \"info\"\n",
    );
    cmd(dir.path()).args(["check"]).assert().code(0);
}

#[test]
fn disabled_rule_is_removed() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "chat.py", LEAK);
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\ndisable = [\"personal-data-to-llm\"]\n",
    );
    assert!(findings(dir.path(), &[]).is_empty());
    cmd(dir.path()).args(["check"]).assert().code(0);
}

#[test]
fn excluded_paths_are_not_walked() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "privacy-lens.toml",
        "[paths]\nexclude = [\"tests/fixtures/**\", \"legacy\", \"*_generated.py\"]\n",
    );
    write(dir.path(), "app/chat.py", LEAK);
    write(dir.path(), "app/client_generated.py", LEAK);
    write(dir.path(), "legacy/old.py", LEAK);
    write(dir.path(), "tests/fixtures/leak.py", LEAK);
    write(dir.path(), "tests/test_chat.py", LEAK);

    let result = report(dir.path(), &[]);
    let mut paths: Vec<&str> = result["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    paths.sort();
    assert_eq!(paths, ["app/chat.py", "tests/test_chat.py"]);
    assert_eq!(result["summary"]["files"], 2);

    // Patterns are relative to the configuration file, not the working directory.
    let elsewhere = TempDir::new().unwrap();
    let root = dir.path().to_str().unwrap();
    assert_eq!(report(elsewhere.path(), &[root])["summary"]["files"], 2);
    assert_eq!(
        report(&dir.path().join("tests"), &["."])["summary"]["files"],
        1
    );
}

#[test]
fn bad_category_is_an_error_with_file_line_and_key() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "privacy-lens.toml",
        "# project settings\n[sources]\n\"member_nickname\" = \"user.nam\"\n",
    );
    write(dir.path(), "chat.py", LEAK);
    cmd(dir.path())
        .args(["check"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "error: privacy-lens.toml:3:21: `sources.member_nickname`: unknown data category `user.nam` (did you mean `user.name`?)",
        ));
}

#[test]
fn every_invalid_value_is_reported() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\nseverity = { PL999 = \"error\", PL101 = \"loud\" }\n[[sinks]]\ncall = \"acme.ask\"\nkind = \"chat\"\n[paths]\nexclude = [\"a/[b\"]\n",
    );
    write(dir.path(), "chat.py", LEAK);
    let assert = cmd(dir.path()).args(["check"]).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    for expected in [
        "privacy-lens.toml:2:14: `rules.severity.PL999`: unknown rule `PL999`",
        "privacy-lens.toml:2:39: `rules.severity.PL101`: unknown severity `loud`",
        "privacy-lens.toml:5:8: `sinks[0].kind`: unknown sink kind `chat`",
        "privacy-lens.toml:7:12: `paths.exclude[0]`: invalid glob `a/[b`",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in:\n{stderr}"
        );
    }
}

#[test]
fn toml_syntax_error_names_the_line() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\ndisable = [\"PL101\"\n\n[paths]\n",
    );
    write(dir.path(), "chat.py", LEAK);
    cmd(dir.path()).args(["check"]).assert().code(2).stderr(
        predicate::str::is_match(r"error: privacy-lens\.toml:[2-4]:\d+: invalid TOML: ").unwrap(),
    );
}

#[test]
fn unknown_key_is_a_warning_not_a_failure() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\nseverty = { PL101 = \"error\" }\n",
    );
    write(dir.path(), "chat.py", LEAK);
    let assert = cmd(dir.path())
        .args(["check", "--format", "json"])
        .assert()
        .code(1);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("warning: privacy-lens.toml:2:1: `rules.severty`: unknown key, ignored (did you mean `severity`?)"),
        "{stderr}"
    );
    let report: Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(report["findings"][0]["severity"], "warning");
}

const HEALTH: &str = r#"from openai import OpenAI
client = OpenAI()

def triage(patient):
    # @data-use essential.service data=user.health_and_medical basis=consent
    return client.chat.completions.create(model="m", messages=[{"role": "user", "content": patient.diagnosis}])
"#;

const POLICY: &str = r#"[[policy]]
name = "no health data to hosted LLMs"
deny = ["user.health_and_medical"]   # category prefixes
to = ["llm_inference"]                # sink kinds
"#;

#[test]
fn policy_turns_a_declared_flow_into_a_pl140_error() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "triage.py", HEALTH);

    // Without the policy the tag declares the flow.
    let before = findings(dir.path(), &[]);
    assert!(before.iter().all(|f| f["code"] != "PL140"), "{before:#?}");

    write(dir.path(), "privacy-lens.toml", POLICY);
    let found = findings(dir.path(), &[]);
    let denied: Vec<&Value> = found.iter().filter(|f| f["code"] == "PL140").collect();
    assert_eq!(denied.len(), 1, "{found:#?}");
    let f = denied[0];
    assert_eq!(f["rule"], "denied-by-policy");
    assert_eq!(f["severity"], "error");
    assert_eq!(
        f["message"],
        "Denied by policy \"no health data to hosted LLMs\": user.health_and_medical reach `openai.chat.completions.create`"
    );
    assert_eq!(f["sink"]["kind"], "llm_inference");
    assert_eq!(
        f["categories"],
        serde_json::json!(["user.health_and_medical"])
    );
    assert_eq!(f["sources"][0]["evidence"], "patient.diagnosis");
    assert_eq!(f["tag"]["use"], "essential.service");
    assert_eq!(f["status"], "declared");
    cmd(dir.path())
        .args(["check", "--fail-on", "error"])
        .assert()
        .code(1);

    // The policy's severity can be overridden like any rule's.
    write(
        dir.path(),
        "privacy-lens.toml",
        &format!("[rules]\nseverity = {{ PL140 = \"warning\" }}\n{POLICY}"),
    );
    let found = findings(dir.path(), &[]);
    let f = found.iter().find(|f| f["code"] == "PL140").unwrap();
    assert_eq!(f["severity"], "warning");
}

#[test]
fn policy_leaves_other_sink_kinds_alone() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "chat.py", LEAK);
    write(
        dir.path(),
        "privacy-lens.toml",
        "[[policy]]\nname = \"no e-mail in training\"\ndeny = [\"user.contact\"]\nto = [\"training\"]\n",
    );
    assert_eq!(codes(&findings(dir.path(), &[])), ["PL101"]);
}

#[test]
fn extra_sink_makes_a_custom_call_a_finding() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "score.py",
        "from acme_ml.client import Predictor\n\ndef score(user):\n    return Predictor().predict(user.email)\n",
    );
    assert!(findings(dir.path(), &[]).is_empty());
    write(
        dir.path(),
        "privacy-lens.toml",
        "[[sinks]]\ncall = \"acme_ml.client.Predictor().predict\"\nkind = \"local_inference\"\n",
    );
    let found = findings(dir.path(), &[]);
    assert_eq!(codes(&found), ["PL102"], "{found:#?}");
    assert_eq!(found[0]["sink"]["kind"], "local_inference");
    assert_eq!(
        found[0]["categories"],
        serde_json::json!(["user.contact.email"])
    );
}

#[test]
fn extra_source_makes_a_custom_name_personal() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "chat.py",
        "from openai import OpenAI\nclient = OpenAI()\n\ndef greet(loyalty_moniker):\n    client.chat.completions.create(model=\"m\", messages=[{\"role\": \"user\", \"content\": loyalty_moniker}])\n",
    );
    assert!(findings(dir.path(), &[]).is_empty());
    write(
        dir.path(),
        "privacy-lens.toml",
        "[sources]\n\"loyalty_moniker\" = \"user.name\"\n",
    );
    let found = findings(dir.path(), &[]);
    assert_eq!(codes(&found), ["PL101"], "{found:#?}");
    assert_eq!(found[0]["categories"], serde_json::json!(["user.name"]));
}

#[test]
fn extra_sanitizer_clears_the_data_it_returns() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "chat.py",
        "from openai import OpenAI\nfrom acme.privacy import redact\nclient = OpenAI()\n\ndef f(user):\n    text = redact(user.email)\n    client.chat.completions.create(model=\"m\", messages=[{\"role\": \"user\", \"content\": text}])\n",
    );
    assert_eq!(codes(&findings(dir.path(), &[])), ["PL101"]);
    write(
        dir.path(),
        "privacy-lens.toml",
        "[sanitizers]\ncalls = [\"acme.privacy.redact\"]\n",
    );
    assert!(findings(dir.path(), &[]).is_empty());
}

/// The README's full example is a valid configuration without warnings.
#[test]
fn readme_example_is_valid() {
    let readme = fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("## Configuration")
        .nth(1)
        .expect("README has a Configuration section");
    let example = section
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a TOML example");
    let dir = TempDir::new().unwrap();
    write(dir.path(), "privacy-lens.toml", example);
    let loaded = privacy_lens::config::load_file(&dir.path().join("privacy-lens.toml")).unwrap();
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
    let config = loaded.config;
    assert_eq!(config.disabled.len(), 1);
    assert_eq!(config.severity.len(), 2);
    assert_eq!((config.sources.len(), config.sinks.len()), (1, 1));
    assert_eq!((config.sanitizers.len(), config.policies.len()), (1, 1));
    assert_eq!(config.exclude.patterns().count(), 2);
}

#[test]
fn severity_off_disables_and_sources_match_inside_longer_names() {
    let dir = TempDir::new().unwrap();
    write(
        dir.path(),
        "chat.py",
        "from openai import OpenAI\nclient = OpenAI()\n\ndef greet(new_loyalty_moniker):\n    client.chat.completions.create(model=\"m\", messages=[{\"role\": \"user\", \"content\": new_loyalty_moniker}])\n",
    );
    write(
        dir.path(),
        "privacy-lens.toml",
        "[sources]\nloyalty_moniker = \"user.name\"\n",
    );
    assert_eq!(codes(&findings(dir.path(), &[])), ["PL101"]);
    write(
        dir.path(),
        "privacy-lens.toml",
        "[rules]\nseverity = { PL101 = \"off\" }\n[sources]\nloyalty_moniker = \"user.name\"\n",
    );
    assert!(findings(dir.path(), &[]).is_empty());
}
