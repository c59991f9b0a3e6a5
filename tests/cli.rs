//! The real `privacy-lens` binary on temporary directories: exit statuses,
//! file selection, skipped files, output formats and the rule commands.

mod common;

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

fn write(root: &Path, path: &str, contents: impl AsRef<[u8]>) {
    let path = root.join(path);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, contents).unwrap();
}

/// Runs `check --format json` with extra arguments and parses stdout.
fn check_json(dir: &Path, args: &[&str]) -> Value {
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

/// How many files `check` analysed (the JSON summary's `files`).
fn analysed_files(dir: &Path, args: &[&str]) -> u64 {
    check_json(dir, args)["summary"]["files"].as_u64().unwrap()
}

const LEAK: &str = "from openai import OpenAI\nclient = OpenAI()\ndef f(user):\n    client.chat.completions.create(model=\"m\", messages=[{\"role\":\"user\",\"content\":user.email}])\n";
const CLEAN: &str = "def add(a, b):\n    return a + b\n";

#[test]
fn clean_code_exits_zero() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "app/util.py", CLEAN);
    cmd(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("0 findings in 1 file"));
}

#[test]
fn findings_exit_one_unless_below_fail_on() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "app.py", LEAK);
    cmd(dir.path())
        .args(["check", "app.py"])
        .assert()
        .code(1)
        .stdout(predicate::str::contains("app.py:4:5: warning[PL101]"))
        .stdout(predicate::str::contains("user.contact.email"))
        .stdout(predicate::str::contains("1 finding in 1 file"));
    cmd(dir.path())
        .args(["check", "--fail-on", "error", "app.py"])
        .assert()
        .code(0);
    cmd(dir.path())
        .args(["check", "--fail-on", "hint", "app.py"])
        .assert()
        .code(1);
    let json = check_json(dir.path(), &["app.py"]);
    common::validate(&json).unwrap();
    assert_eq!(json["findings"][0]["code"], "PL101");
    assert_eq!(json["findings"][0]["path"], "app.py");
    assert_eq!(
        json["findings"][0]["range"]["start"],
        serde_json::json!({"line": 4, "column": 5})
    );
}

#[test]
fn usage_errors_exit_two() {
    let dir = TempDir::new().unwrap();
    cmd(dir.path())
        .args(["check", "does-not-exist"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("does-not-exist"));
    cmd(dir.path())
        .args(["check", "--format", "yaml"])
        .assert()
        .code(2);
    cmd(dir.path())
        .args(["check", "--fail-on", "fatal"])
        .assert()
        .code(2);
    cmd(dir.path())
        .args(["check", "--threads", "0"])
        .assert()
        .code(2);
    cmd(dir.path()).arg("frobnicate").assert().code(2);
}

#[test]
fn unreadable_files_are_reported_and_do_not_abort_the_run() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a_bad.py", b"name = \"\xff\xfe\"\n");
    write(dir.path(), "b_binary.py", b"x = 1\0\0\x01");
    write(dir.path(), "c_good.py", CLEAN);
    cmd(dir.path())
        .arg("check")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("a_bad.py: skipped: invalid UTF-8"))
        .stdout(predicate::str::contains(
            "b_binary.py: skipped: binary file",
        ))
        .stdout(predicate::str::contains("0 findings in 1 file (2 skipped)"));

    let json = check_json(dir.path(), &[]);
    common::validate(&json).unwrap();
    assert_eq!(json["summary"]["files"], 1);
    let skipped: Vec<(&str, &str)> = json["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap(), s["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        skipped,
        [
            ("a_bad.py", "invalid UTF-8"),
            ("b_binary.py", "binary file (contains a NUL byte)")
        ]
    );
}

#[test]
fn files_over_the_size_limit_are_skipped() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "big.py", "x = 1\n".repeat(100));
    let json = check_json(dir.path(), &["--max-file-size", "100"]);
    assert_eq!(json["summary"]["files"], 0);
    let reason = json["skipped"][0]["reason"].as_str().unwrap();
    assert!(reason.starts_with("too large"), "{reason}");
}

#[test]
fn gitignore_is_respected_outside_git_repositories() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), ".gitignore", "generated/\nsecret_*.py\n");
    write(dir.path(), ".ignore", "scratch.py\n");
    write(dir.path(), "app.py", CLEAN);
    write(dir.path(), "generated/out.py", CLEAN);
    write(dir.path(), "secret_keys.py", CLEAN);
    write(dir.path(), "scratch.py", CLEAN);
    assert_eq!(analysed_files(dir.path(), &[]), 1);
    // An explicit file is analysed even when ignored.
    assert_eq!(analysed_files(dir.path(), &["generated/out.py"]), 1);
}

#[test]
fn dependency_and_virtualenv_directories_are_skipped() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "app.py", CLEAN);
    write(dir.path(), "node_modules/pkg/x.py", CLEAN);
    write(dir.path(), ".venv/lib/x.py", CLEAN);
    write(dir.path(), "venv/lib/x.py", CLEAN);
    write(dir.path(), "env/pyvenv.cfg", "home = /usr/bin\n");
    write(dir.path(), "env/lib/x.py", CLEAN);
    write(dir.path(), "lib/python3.12/site-packages/pkg/x.py", CLEAN);
    write(dir.path(), "__pycache__/x.py", CLEAN);
    write(dir.path(), "dist/x.py", CLEAN);
    write(dir.path(), "build/x.py", CLEAN);
    write(dir.path(), ".tox/py312/x.py", CLEAN);
    write(dir.path(), ".mypy_cache/x.py", CLEAN);
    // A directory named `env` that is not a virtualenv is walked.
    write(dir.path(), "config/env/settings.py", CLEAN);
    write(dir.path(), "README.md", "# not python\n");
    assert_eq!(analysed_files(dir.path(), &[]), 2);
    assert_eq!(analysed_files(dir.path(), &["node_modules/pkg/x.py"]), 1);
    assert_eq!(analysed_files(dir.path(), &["env"]), 1);
}

#[test]
fn explicit_paths_are_deduplicated_and_shown_relative() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "app/bin.py", b"\0");
    write(dir.path(), "app/util.py", CLEAN);
    let absolute = dir.path().join("app/bin.py");
    let json = check_json(
        dir.path(),
        &["app", "./app/util.py", absolute.to_str().unwrap()],
    );
    assert_eq!(json["summary"]["files"], 1);
    assert_eq!(json["skipped"].as_array().unwrap().len(), 1);
    assert_eq!(json["skipped"][0]["path"], "app/bin.py");
}

#[test]
fn json_output_validates_against_the_schema() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "app.py", LEAK);
    write(dir.path(), "util.py", CLEAN);
    write(dir.path(), "blob.py", b"\0");
    for args in [&[][..], &["--all-sinks"][..]] {
        let json = check_json(dir.path(), args);
        common::validate(&json).unwrap();
        assert_eq!(json["version"], 1);
        assert_eq!(json["tool"]["name"], "privacy-lens");
        assert_eq!(json["summary"]["files"], 2);
        assert_eq!(json.get("recognised_sinks").is_some(), !args.is_empty());
    }
}

#[test]
fn logs_go_to_stderr_and_results_to_stdout() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "app.py", CLEAN);
    let output = cmd(dir.path())
        .args(["--log-level", "trace", "check", "--format", "json"])
        .output()
        .unwrap();
    assert!(output.status.success());
    let _: Value = serde_json::from_slice(&output.stdout).expect("stdout is only JSON");
    assert!(!output.stderr.is_empty(), "trace logs expected on stderr");
}

#[test]
fn colour_follows_the_color_flag() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "app.py", CLEAN);
    // Not a terminal: no colour by default.
    cmd(dir.path())
        .arg("check")
        .assert()
        .stdout(predicate::str::contains("\x1b[").not());
    cmd(dir.path())
        .args(["--color", "always", "check"])
        .assert()
        .stdout(predicate::str::contains("\x1b["));
    cmd(dir.path())
        .args(["check", "--color", "never"])
        .env("CLICOLOR_FORCE", "1")
        .assert()
        .stdout(predicate::str::contains("\x1b[").not());
}

#[test]
fn parse_only_reports_the_parse_floor() {
    let dir = TempDir::new().unwrap();
    write(dir.path(), "a.py", LEAK);
    write(dir.path(), "b.py", CLEAN);
    let output = cmd(dir.path())
        .args([
            "check",
            "--parse-only",
            "--format",
            "json",
            "--threads",
            "2",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    let bytes = LEAK.len() + CLEAN.len();
    assert!(
        stderr.contains(&format!("parsed 2 files, 6 lines, {bytes} bytes in ")),
        "{stderr}"
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["files"], 2);
    assert_eq!(json["lines"], 6);
    assert_eq!(json["bytes"], bytes);
    assert!(json["seconds"].as_f64().unwrap() >= 0.0);
}

#[test]
fn rules_lists_every_rule() {
    let dir = TempDir::new().unwrap();
    cmd(dir.path())
        .arg("rules")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("PL101"))
        .stdout(predicate::str::contains("personal-data-to-llm"))
        .stdout(predicate::str::contains("warning"));
}

#[test]
fn explain_prints_the_rule_documentation() {
    let dir = TempDir::new().unwrap();
    let docs = privacy_lens::rules::PERSONAL_DATA_TO_LLM.docs;
    for query in ["PL101", "pl101", "personal-data-to-llm"] {
        cmd(dir.path())
            .args(["explain", query])
            .assert()
            .code(0)
            .stdout(predicate::str::starts_with(docs.trim_end()));
    }
}

#[test]
fn explain_unknown_rule_exits_two_with_a_suggestion() {
    let dir = TempDir::new().unwrap();
    cmd(dir.path())
        .args(["explain", "nope"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("nothing to explain for `nope`"));
    cmd(dir.path())
        .args(["explain", "PL10l"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("did you mean `PL101`"));
}
