//! `check --diff BASE` in a temporary git repository: only flows introduced
//! since BASE are reported; edits above a flow, renames and unchanged files
//! introduce nothing; new categories, new calls and new files do.

use std::path::Path;
use std::process::Command as Std;

use assert_cmd::Command;
use serde_json::Value;
use tempfile::TempDir;

const CHAT: &str = r#"from openai import OpenAI

client = OpenAI()

def reply(user, ticket):
    prompt = f"{user.full_name} asks: {ticket.body}"
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
"#;

const TRAIN: &str = r#"import pandas as pd
from sklearn.linear_model import LogisticRegression

def train(path):
    frame = pd.read_csv(path, usecols=["email", "churned"])
    LogisticRegression().fit(frame[["email"]], frame["churned"])
"#;

fn git(dir: &Path, args: &[&str]) {
    let status = Std::new("git")
        .arg("-C")
        .arg(dir)
        .args([
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.invalid",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .output()
        .expect("git runs");
    assert!(
        status.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&status.stderr)
    );
}

fn git_available() -> bool {
    Std::new("git").arg("--version").output().is_ok()
}

/// A repository whose first commit holds `app/chat.py` and `train.py`.
fn repo() -> TempDir {
    let dir = TempDir::new().unwrap();
    std::fs::create_dir(dir.path().join("app")).unwrap();
    std::fs::write(dir.path().join("app/chat.py"), CHAT).unwrap();
    std::fs::write(dir.path().join("train.py"), TRAIN).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "base"]);
    dir
}

/// (path, code, categories) of each finding `check --diff BASE` reports.
fn diff_findings(dir: &Path, base: &str) -> (Option<i32>, Vec<(String, String, String)>) {
    let output = Command::cargo_bin("privacy-lens")
        .unwrap()
        .current_dir(dir)
        .args([
            "check",
            ".",
            "--diff",
            base,
            "--format",
            "json",
            "--no-progress",
            "--no-config",
        ])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|_| {
        panic!(
            "not JSON; stderr: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let categories: Vec<&str> = f["categories"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c.as_str().unwrap())
                .collect();
            (
                f["path"].as_str().unwrap().to_string(),
                f["code"].as_str().unwrap().to_string(),
                categories.join(","),
            )
        })
        .collect();
    (output.status.code(), findings)
}

#[test]
fn nothing_is_new_in_an_unchanged_tree() {
    if !git_available() {
        eprintln!("skipped: git is not installed");
        return;
    }
    let dir = repo();
    let (code, findings) = diff_findings(dir.path(), "HEAD");
    assert_eq!(findings, []);
    assert_eq!(code, Some(0), "no new finding, so CI passes");
}

#[test]
fn edits_above_a_flow_and_renames_introduce_nothing() {
    if !git_available() {
        return;
    }
    let dir = repo();
    let moved = CHAT.replace(
        "client = OpenAI()\n",
        "import logging\n\nlog = logging.getLogger(__name__)\n\nclient = OpenAI()\n\n\ndef ping():\n    return 1\n",
    );
    std::fs::write(dir.path().join("app/chat.py"), moved).unwrap();
    git(dir.path(), &["mv", "train.py", "app/training.py"]);
    let (_, findings) = diff_findings(dir.path(), "HEAD");
    assert_eq!(
        findings,
        [],
        "moved lines and a renamed file are not new flows"
    );
}

#[test]
fn new_categories_calls_and_files_are_reported() {
    if !git_available() {
        return;
    }
    let dir = repo();
    git(dir.path(), &["tag", "base"]);
    // A second call with the same data as the old one (the same identity,
    // a second occurrence) and a new call with more data.
    let more = format!(
        "{CHAT}\ndef again(user, ticket):\n    prompt = f\"{{user.full_name}} asks: {{ticket.body}}\"\n    return client.chat.completions.create(model=\"gpt-4o\", messages=[{{\"role\": \"user\", \"content\": prompt}}])\n\ndef contact(user):\n    return client.chat.completions.create(model=\"gpt-4o\", messages=[{{\"role\": \"user\", \"content\": user.full_name + user.email}}])\n"
    );
    std::fs::write(dir.path().join("app/chat.py"), more).unwrap();
    git(dir.path(), &["commit", "-q", "-am", "more data"]);
    // An untracked new file.
    std::fs::write(dir.path().join("app/new.py"), CHAT).unwrap();

    let (code, findings) = diff_findings(dir.path(), "base");
    assert_eq!(
        findings,
        [
            (
                "app/chat.py".to_string(),
                "PL101".to_string(),
                "user.content.private,user.name".to_string()
            ),
            (
                "app/chat.py".to_string(),
                "PL101".to_string(),
                "user.contact.email,user.name".to_string()
            ),
            (
                "app/new.py".to_string(),
                "PL101".to_string(),
                "user.content.private,user.name".to_string()
            ),
        ]
    );
    assert_eq!(code, Some(1));
    // Against the new commit only the untracked file is new.
    let (_, findings) = diff_findings(dir.path(), "HEAD");
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].0, "app/new.py");
}

#[test]
fn paths_work_from_a_subdirectory() {
    if !git_available() {
        return;
    }
    let dir = repo();
    std::fs::write(dir.path().join("app/new.py"), CHAT).unwrap();
    // Run inside app/: display paths are relative to it, git's to the top.
    let (code, findings) = diff_findings(&dir.path().join("app"), "HEAD");
    assert_eq!(
        findings,
        [(
            "new.py".to_string(),
            "PL101".to_string(),
            "user.content.private,user.name".to_string()
        )]
    );
    assert_eq!(code, Some(1));
}

#[test]
fn a_new_category_on_an_old_call_is_a_new_flow() {
    if !git_available() {
        return;
    }
    let dir = repo();
    let more = CHAT.replace(
        "{user.full_name} asks",
        "{user.full_name} <{user.email}> asks",
    );
    std::fs::write(dir.path().join("app/chat.py"), more).unwrap();
    let (_, findings) = diff_findings(dir.path(), "HEAD");
    assert_eq!(
        findings,
        [(
            "app/chat.py".to_string(),
            "PL101".to_string(),
            "user.contact.email,user.content.private,user.name".to_string()
        )]
    );
}

#[test]
fn removing_a_tag_makes_a_flow_new() {
    if !git_available() {
        return;
    }
    let dir = TempDir::new().unwrap();
    let tagged = CHAT.replace(
        "    return client",
        "    # @data-use essential.service data=user.name basis=contract\n    return client",
    );
    std::fs::write(dir.path().join("chat.py"), &tagged).unwrap();
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["add", "."]);
    git(dir.path(), &["commit", "-q", "-m", "tagged"]);
    std::fs::write(dir.path().join("chat.py"), CHAT).unwrap();
    let (code, findings) = diff_findings(dir.path(), "HEAD");
    assert_eq!(
        findings.len(),
        1,
        "the undeclared flow is new: {findings:?}"
    );
    assert_eq!(code, Some(1));
}

#[test]
fn bad_revisions_and_missing_repositories_are_usage_errors() {
    if !git_available() {
        return;
    }
    let dir = repo();
    for base in ["no-such-branch", "--output=/tmp/x"] {
        let output = Command::cargo_bin("privacy-lens")
            .unwrap()
            .current_dir(dir.path())
            .args(["check", ".", "--no-progress", &format!("--diff={base}")])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{base}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("unknown git revision"), "{base}: {stderr}");
    }
    let plain = TempDir::new().unwrap();
    std::fs::write(plain.path().join("chat.py"), CHAT).unwrap();
    let output = Command::cargo_bin("privacy-lens")
        .unwrap()
        .current_dir(plain.path())
        .env("GIT_CEILING_DIRECTORIES", plain.path().parent().unwrap())
        .args(["check", ".", "--no-progress", "--diff", "HEAD"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("not in a git repository"));
}
