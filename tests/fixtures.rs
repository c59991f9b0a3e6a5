//! Runs every fixture under `tests/fixtures/<lang>/` and the demo in
//! `examples/` through the analysis, and compares the findings with the
//! `# expect: CODE category …; CODE …` comments on the lines where the AI
//! calls start. Categories match by prefix in both directions, and the sets
//! must agree: every expected category found, every found category expected.
//! A file without expectations must produce no findings. A code may carry
//! the expected status (`PL101:declared`); without one the finding must be
//! undeclared.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use privacy_lens::analysis::{AnalysisOptions, analyze};
use privacy_lens::knowledge::key_has_prefix;
use privacy_lens::language::Language;

#[derive(Debug, Clone, PartialEq)]
struct Expected {
    code: String,
    status: String,
    categories: Vec<String>,
}

fn expectations(text: &str) -> BTreeMap<usize, Vec<Expected>> {
    let mut out = BTreeMap::new();
    for (index, line) in text.lines().enumerate() {
        let Some(pos) = line.find("expect:") else {
            continue;
        };
        let before = line[..pos].trim_end();
        if !(before.ends_with('#') || before.ends_with("//") || before.ends_with("/*")) {
            continue;
        }
        let spec = line[pos + "expect:".len()..].trim().trim_end_matches("*/");
        let mut items = Vec::new();
        for group in spec.split(';') {
            let mut words = group.split_whitespace();
            let Some(code) = words.next() else { continue };
            let (code, status) = code.split_once(':').unwrap_or((code, "undeclared"));
            items.push(Expected {
                code: code.to_string(),
                status: status.to_string(),
                categories: words.map(|w| w.trim_end_matches(',').to_string()).collect(),
            });
        }
        out.insert(index + 1, items);
    }
    out
}

fn overlaps(a: &str, b: &str) -> bool {
    key_has_prefix(a, b) || key_has_prefix(b, a)
}

fn check_file(path: &Path, problems: &mut Vec<String>) -> usize {
    let Some(language) = Language::from_path(path) else {
        return 0;
    };
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let expected = expectations(&text);
    let analysis = analyze(&text, language, &AnalysisOptions::default());
    let mut actual: BTreeMap<usize, Vec<(String, Vec<String>, String)>> = BTreeMap::new();
    for f in &analysis.findings {
        actual.entry(f.span.start.row + 1).or_default().push((
            f.code.to_string(),
            f.categories.clone(),
            f.status.as_str().to_string(),
        ));
    }
    let name = path.display();
    let mut checked = 0;
    for (line, wants) in &expected {
        let mut got = actual.remove(line).unwrap_or_default();
        for want in wants {
            checked += 1;
            match got.iter().position(|(code, _, _)| *code == want.code) {
                None => problems.push(format!(
                    "{name}:{line}: missing {} {}",
                    want.code,
                    want.categories.join(" ")
                )),
                Some(i) => {
                    let (_, cats, status) = got.remove(i);
                    if status != want.status {
                        problems.push(format!(
                            "{name}:{line}: {} is {status}, expected {}",
                            want.code, want.status
                        ));
                    }
                    let missing: Vec<_> = want
                        .categories
                        .iter()
                        .filter(|w| !cats.iter().any(|c| overlaps(c, w)))
                        .collect();
                    let extra: Vec<_> = cats
                        .iter()
                        .filter(|c| !want.categories.iter().any(|w| overlaps(c, w)))
                        .collect();
                    if !missing.is_empty() || !extra.is_empty() {
                        problems.push(format!(
                            "{name}:{line}: {} categories differ: missing {missing:?}, extra {extra:?} (found {cats:?})",
                            want.code
                        ));
                    }
                }
            }
        }
        for (code, cats, _) in got {
            problems.push(format!("{name}:{line}: extra {code} {}", cats.join(" ")));
        }
    }
    for (line, rest) in actual {
        for (code, cats, _) in rest {
            problems.push(format!("{name}:{line}: extra {code} {}", cats.join(" ")));
        }
    }
    checked
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else if Language::from_path(&path).is_some() {
            out.push(path);
        }
    }
}

fn run(dir: &str, minimum_files: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut files = Vec::new();
    files_under(&root, &mut files);
    files.sort();
    assert!(
        files.len() >= minimum_files,
        "expected at least {minimum_files} files under {dir}, found {}",
        files.len()
    );
    let mut problems = Vec::new();
    let mut checked = 0;
    for file in &files {
        checked += check_file(file, &mut problems);
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in {} files ({checked} expectations):\n{}",
        problems.len(),
        files.len(),
        problems.join("\n")
    );
}

#[test]
fn python_fixtures() {
    run("tests/fixtures/python", 40);
}

#[test]
fn javascript_fixtures() {
    run("tests/fixtures/javascript", 10);
}

#[test]
fn typescript_fixtures() {
    run("tests/fixtures/typescript", 10);
}

#[test]
fn demo_examples() {
    run("examples", 4);
}

#[test]
fn expectation_comments_parse() {
    let text = "x = f()  # expect: PL101 user.contact.email user.name; PL110:declared user.contact.email\n";
    let e = expectations(text);
    assert_eq!(e[&1].len(), 2);
    assert_eq!(
        (e[&1][0].status.as_str(), e[&1][1].status.as_str()),
        ("undeclared", "declared")
    );
    assert_eq!(e[&1][0].categories, ["user.contact.email", "user.name"]);
    assert_eq!(e[&1][1].code, "PL110");
}
