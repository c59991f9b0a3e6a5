//! Runs every fixture under `tests/fixtures/<lang>/` and the demo in
//! `examples/` through the analysis, and compares the findings with the
//! `# expect: CODE category …; CODE …` comments on the lines where the AI
//! calls start. Categories match by prefix in both directions, and the sets
//! must agree: every expected category found, every found category expected.
//! A file without expectations must produce no findings. A code may carry
//! the expected status (`PL101:declared`); without one the finding must be
//! undeclared. A `from=PATH` word (relative to the case folder) requires a
//! source in that file: the cross-file cases under
//! `tests/fixtures/cross_file/<case>/` are checked as whole workspaces.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use privacy_lens::analysis::{AnalysisOptions, analyze};
use privacy_lens::check::{CheckOptions, NoProgress, check};
use privacy_lens::finding::Finding;
use privacy_lens::knowledge::key_has_prefix;
use privacy_lens::language::Language;

#[derive(Debug, Clone, PartialEq)]
struct Expected {
    code: String,
    status: String,
    categories: Vec<String>,
    /// Files (relative to the case folder) that must hold a source.
    from: Vec<String>,
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
            let (from, categories): (Vec<&str>, Vec<&str>) =
                words.partition(|w| w.starts_with("from="));
            items.push(Expected {
                code: code.to_string(),
                status: status.to_string(),
                categories: categories
                    .iter()
                    .map(|w| w.trim_end_matches(',').to_string())
                    .collect(),
                from: from
                    .iter()
                    .map(|w| w.trim_start_matches("from=").to_string())
                    .collect(),
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
    let analysis = analyze(&text, language, &AnalysisOptions::default());
    compare(path, &text, &analysis.findings, None, problems)
}

/// Compares a file's findings with its `expect:` comments. `case` is the
/// folder `from=` paths are relative to (cross-file cases).
fn compare(
    path: &Path,
    text: &str,
    findings: &[Finding],
    case: Option<&Path>,
    problems: &mut Vec<String>,
) -> usize {
    let expected = expectations(text);
    type Found = (String, Vec<String>, String, Vec<PathBuf>);
    let mut actual: BTreeMap<usize, Vec<Found>> = BTreeMap::new();
    for f in findings {
        let source_files = f
            .sources
            .iter()
            .map(|s| s.file.clone().unwrap_or_else(|| path.to_path_buf()))
            .collect();
        actual.entry(f.span.start.row + 1).or_default().push((
            f.code.to_string(),
            f.categories.clone(),
            f.status.as_str().to_string(),
            source_files,
        ));
    }
    let name = path.display();
    let mut checked = 0;
    for (line, wants) in &expected {
        let mut got = actual.remove(line).unwrap_or_default();
        for want in wants {
            checked += 1;
            match got.iter().position(|(code, ..)| *code == want.code) {
                None => problems.push(format!(
                    "{name}:{line}: missing {} {}",
                    want.code,
                    want.categories.join(" ")
                )),
                Some(i) => {
                    let (_, cats, status, source_files) = got.remove(i);
                    for from in &want.from {
                        let wanted = case.unwrap_or(Path::new("")).join(from);
                        if !source_files.contains(&wanted) {
                            problems.push(format!(
                                "{name}:{line}: {} has no source in {from} (sources in {source_files:?})",
                                want.code
                            ));
                        }
                    }
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
        for (code, cats, ..) in got {
            problems.push(format!("{name}:{line}: extra {code} {}", cats.join(" ")));
        }
    }
    for (line, rest) in actual {
        for (code, cats, ..) in rest {
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

/// Each case folder is checked as a workspace; every file's findings must
/// match its comments, and each case must find something that analysing its
/// files one by one does not (else it does not test the cross-file index).
#[test]
fn cross_file_cases() {
    let root = Path::new("tests/fixtures/cross_file");
    let mut cases: Vec<PathBuf> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(root))
            .expect("cross-file fixtures")
            .flatten()
            .map(|e| root.join(e.file_name()))
            .filter(|p| p.is_dir())
            .collect();
    cases.sort();
    assert!(
        cases.len() >= 10,
        "expected at least 10 cases, found {}",
        cases.len()
    );
    let mut problems = Vec::new();
    let mut checked = 0;
    for case in &cases {
        let result = check(
            std::slice::from_ref(case),
            &CheckOptions::default(),
            &NoProgress,
        )
        .expect("check runs");
        let single = CheckOptions {
            cross_file: false,
            ..CheckOptions::default()
        };
        let alone = check(std::slice::from_ref(case), &single, &NoProgress).expect("check runs");
        let mut files = Vec::new();
        files_under(case, &mut files);
        files.sort();
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap_or_default();
            let findings: Vec<Finding> = result
                .files
                .iter()
                .find(|f| f.path == *file)
                .map(|f| f.analysis.findings.clone())
                .unwrap_or_default();
            checked += compare(file, &text, &findings, Some(case), &mut problems);
        }
        let flows = |r: &privacy_lens::check::CheckResult| {
            let mut out: Vec<String> = r
                .findings()
                .filter(|(_, f)| f.sink.is_some())
                .map(|(file, f)| format!("{}:{} {}", file.path.display(), f.span.start.row, f.code))
                .collect();
            out.sort();
            out
        };
        if flows(&alone) == flows(&result) {
            problems.push(format!(
                "{}: the index changes nothing (the same {} flows without it)",
                case.display(),
                flows(&alone).len()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s) in {} cases ({checked} expectations):\n{}",
        problems.len(),
        cases.len(),
        problems.join("\n")
    );
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
