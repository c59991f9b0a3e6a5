//! docs/rules.md is generated from the rule registry and the pages in
//! src/rules/docs/. This test fails when it is out of date.

use std::path::Path;

const REGENERATE: &str = "cargo run --quiet -- rules --format markdown > docs/rules.md";

fn generated() -> String {
    let output = assert_cmd::cargo::cargo_bin_cmd!("privacy-lens")
        .args(["rules", "--format", "markdown"])
        .env_remove("RUST_LOG")
        .output()
        .expect("privacy-lens runs");
    assert!(output.status.success(), "`rules --format markdown` failed");
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

#[test]
fn docs_rules_md_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let fresh = generated();
    if committed != fresh {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || committed.lines().count().min(fresh.lines().count()) + 1,
                |i| i + 1,
            );
        panic!(
            "docs/rules.md is out of date (first difference at line {line}).\n\
             Regenerate it from the repository root with:\n\n    {REGENERATE}\n"
        );
    }
}

#[test]
fn the_markdown_has_a_table_row_and_a_page_per_rule() {
    let md = generated();
    for rule in privacy_lens::rules::ALL {
        let anchor = format!("{}-{}", rule.code, rule.name).to_ascii_lowercase();
        assert!(
            md.contains(&format!("| [{}](#{anchor}) | `{}` |", rule.code, rule.name)),
            "no table row for {}",
            rule.code
        );
        assert!(
            md.contains(&format!("\n## {} {}\n", rule.code, rule.name)),
            "no page heading for {}",
            rule.code
        );
    }
    assert_eq!(
        md.matches("\n### What it finds\n").count(),
        privacy_lens::rules::ALL.len(),
        "every page's sections are demoted one level"
    );
    // Exactly one top-level heading: rule pages are demoted one level, code
    // blocks (Python comments start with `#`) are left alone.
    let mut in_code = false;
    let mut h1 = 0;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
        } else if !in_code && line.starts_with("# ") {
            h1 += 1;
        }
    }
    assert_eq!(h1, 1, "only the document title is a level-1 heading");
    assert!(
        md.contains("# @data-use"),
        "code blocks keep their comments"
    );
}
