//! `check --format github`: workflow-command annotations for the demo.

use assert_cmd::Command;

fn github(extra: &[&str]) -> (Option<i32>, String) {
    let output = Command::cargo_bin("privacy-lens")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args(["check", "examples", "--format", "github", "--no-progress"])
        .args(extra)
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8(output.stdout).unwrap(),
    )
}

#[test]
fn demo_annotations_snapshot() {
    let (code, out) = github(&[]);
    assert_eq!(code, Some(1));
    let lines: Vec<&str> = out.lines().collect();
    // Six undeclared findings are annotated; the declared flow (a hint) is not.
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("::warning ")).count(),
        6
    );
    assert!(
        !out.contains("triage.py"),
        "declared flows are not annotated"
    );
    for line in &lines[..lines.len() - 1] {
        // One command per line: messages are escaped.
        let (props, message) = line
            .strip_prefix("::warning ")
            .and_then(|l| l.split_once("::"))
            .expect("a workflow command");
        assert!(props.starts_with("file=examples/"));
        assert!(props.contains(",line=") && props.contains(",title=PL"));
        assert!(message.contains("%0Acategories: "));
    }
    assert_eq!(
        lines.last().copied(),
        Some("privacy-lens: 7 findings in 13 files (6 annotated)")
    );
    insta::assert_snapshot!("demo_github", out);
}

#[test]
fn fail_on_hint_annotates_declared_flows_as_notices() {
    let (code, out) = github(&["--fail-on", "hint"]);
    assert_eq!(code, Some(1));
    let notices: Vec<&str> = out.lines().filter(|l| l.starts_with("::notice ")).collect();
    assert_eq!(notices.len(), 1);
    assert!(notices[0].contains("file=examples/support-assistant/assistant/triage.py,line=25,"));
    assert!(notices[0].contains("status: declared"));
}
