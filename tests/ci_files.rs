//! The CI integrations stay true: the pre-commit hook's command works, and
//! every privacy-lens command in docs/ci.md uses options the CLI has.

use assert_cmd::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn help(subcommand: &str) -> String {
    let output = Command::cargo_bin("privacy-lens")
        .unwrap()
        .args([subcommand, "--help"])
        .output()
        .unwrap();
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn the_pre_commit_hook_blocks_flows_and_passes_clean_files() {
    let hooks = std::fs::read_to_string(format!("{ROOT}/.pre-commit-hooks.yaml")).unwrap();
    let entry = hooks
        .lines()
        .find_map(|l| l.trim().strip_prefix("entry: "))
        .expect("the hook has an entry");
    let mut words = entry.split_whitespace();
    assert_eq!(words.next(), Some("privacy-lens"));
    let args: Vec<&str> = words.collect();
    // pre-commit appends the staged file names.
    let run = |file: &str| {
        Command::cargo_bin("privacy-lens")
            .unwrap()
            .current_dir(ROOT)
            .args(&args)
            .arg(file)
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(run("examples/support-assistant/assistant/app.py"), Some(1));
    assert_eq!(
        run("examples/support-assistant/assistant/index_faq.py"),
        Some(0)
    );
    assert_eq!(
        run("examples/support-assistant/assistant/triage.py"),
        Some(0),
        "declared flows pass"
    );
}

#[test]
fn commands_in_the_ci_guide_use_real_options() {
    let guide = std::fs::read_to_string(format!("{ROOT}/docs/ci.md")).unwrap();
    let mut checked = 0;
    for line in guide.lines() {
        let Some(at) = line.find("privacy-lens ") else {
            continue;
        };
        let command = &line[at + "privacy-lens ".len()..];
        let mut words = command.split_whitespace();
        let Some(subcommand @ ("check" | "report")) = words.next() else {
            continue;
        };
        let help = help(subcommand);
        for word in words.take_while(|w| !["||", ">", "|", "`"].contains(w)) {
            if let Some(flag) = word.strip_prefix("--") {
                let flag = flag.split('=').next().unwrap().trim_end_matches('`');
                assert!(
                    help.contains(&format!("--{flag}")),
                    "`{subcommand} --{flag}` in docs/ci.md is not an option"
                );
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "found {checked} options");
}
