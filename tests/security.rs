//! Security guarantees (SECURITY.md): analysed code is never executed,
//! configuration cannot run programs and its patterns are bounded, code
//! actions edit only the document asked about, output files are written
//! atomically where asked, and the server works without any network.
//!
//! The sandbox checks need `unshare` (network namespace, root) and
//! `strace`; they are skipped with a message when those are missing or not
//! permitted, unless `PRIVACY_LENS_REQUIRE_SANDBOX` is set (CI sets it).

mod lsp_support;
mod process_support;

use std::path::Path;
use std::process::Command;

use lsp_support::{TestServer, action_edits, position_of};
use process_support::Process;
use serde_json::{Value, json};

/// Code that leaves a marker file if anything runs, imports or evaluates it.
fn booby_trapped_project(dir: &Path, marker: &Path) {
    let m = marker.display();
    std::fs::write(
        dir.join("app.py"),
        format!(
            "import os, subprocess\nopen({m:?}, 'w').write('py')\nos.system('touch {m}')\nsubprocess.run(['touch', {m:?}])\nexec(\"open({m:?}, 'w')\")\nimport openai\nclient = openai.OpenAI()\nclient.chat.completions.create(messages=[{{'content': user.email}}])\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.join("conftest.py"),
        format!("open({m:?}, 'w').write('conftest')\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("setup.py"),
        format!("__import__('os').system('touch {m}')\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("index.js"),
        format!("require('child_process').execSync('touch {m}');\neval(\"require('fs').writeFileSync('{m}', 'js')\");\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("package.json"),
        format!("{{\"scripts\": {{\"postinstall\": \"touch {m}\", \"prepare\": \"touch {m}\"}}}}"),
    )
    .unwrap();
    std::fs::write(
        dir.join("pyproject.toml"),
        format!("[build-system]\nrequires = []\n[tool.privacy-lens]\n[tool.privacy-lens.rules]\ndisable = []\n[project.scripts]\nx = \"os:system('touch {m}')\"\n"),
    )
    .unwrap();
}

#[test]
fn analysed_code_is_never_executed() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("EXECUTED");
    booby_trapped_project(dir.path(), &marker);
    let output = Command::new(env!("CARGO_BIN_EXE_privacy-lens"))
        .args(["check", "--no-progress"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("PL101"), "the file was analysed: {stdout}");
    // And in the language server.
    let mut process = Process::spawn(&[]);
    process.initialize();
    for name in ["app.py", "conftest.py", "index.js"] {
        let path = dir.path().join(name);
        let uri = format!("file://{}", path.display());
        let text = std::fs::read_to_string(&path).unwrap();
        let language = if name.ends_with(".py") {
            "python"
        } else {
            "javascript"
        };
        process.open(&uri, language, 1, &text);
        process.diagnostics_for(&uri, 1);
        process.notify(
            "textDocument/didSave",
            json!({ "textDocument": { "uri": uri } }),
        );
    }
    let (status, _) = process.shutdown();
    assert_eq!(status.code(), Some(0));
    assert!(!marker.exists(), "analysed code ran");
}

/// The source tree has no way to start programs, load libraries or open
/// sockets: adding one must be a deliberate change to this test.
#[test]
fn the_code_has_no_process_network_or_dynamic_loading_apis() {
    let forbidden = [
        "process::Command",
        "Command::new",
        "std::net",
        "TcpStream",
        "UdpSocket",
        "TcpListener",
        "libloading",
        "dlopen",
        "reqwest",
        "hyper::",
        "ureq",
    ];
    let mut offenders = Vec::new();
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut text = std::fs::read_to_string(&path).unwrap();
                // The one exception: `check --diff BASE` asks the `git`
                // binary for the base versions (fixed, read-only plumbing
                // commands). Only `git` may be named there.
                if path.ends_with("src/diff.rs") {
                    assert_eq!(
                        text.matches("Command::new(").count(),
                        text.matches("Command::new(\"git\")").count(),
                        "diff.rs may only run git"
                    );
                    text = text
                        .replace("Command::new(\"git\")", "")
                        .replace("use std::process::Command;", "");
                }
                for word in forbidden {
                    if text.contains(word) {
                        offenders.push(format!("{}: {word}", path.display()));
                    }
                }
            }
        }
    }
    assert!(offenders.is_empty(), "{offenders:#?}");
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let dependencies = manifest
        .split("[dependencies]")
        .nth(1)
        .and_then(|rest| rest.split("\n[").next())
        .unwrap();
    for crate_name in [
        "reqwest",
        "hyper",
        "ureq",
        "curl",
        "libloading",
        "pyo3",
        "deno",
        "v8",
    ] {
        assert!(
            !dependencies
                .lines()
                .any(|l| l.starts_with(&format!("{crate_name} "))),
            "{crate_name} is a dependency"
        );
    }
}

#[test]
fn configuration_cannot_name_programs_to_run() {
    let dir = tempfile::tempdir().unwrap();
    let marker = dir.path().join("RAN");
    let m = marker.display();
    let config = format!(
        "command = \"touch {m}\"\nexec = [\"touch\", \"{m}\"]\n[hooks]\npre = \"touch {m}\"\n[rules]\ndisable = []\nrun = \"touch {m}\"\n[[sinks]]\ncall = \"acme.run\"\nkind = \"llm_inference\"\nprogram = \"touch {m}\"\n"
    );
    let path = dir.path().join("privacy-lens.toml");
    std::fs::write(&path, &config).unwrap();
    let loaded = privacy_lens::config::load_file(&path).unwrap();
    let keys: Vec<&str> = loaded.warnings.iter().map(|w| w.key.as_str()).collect();
    for key in ["command", "exec", "hooks", "rules.run"] {
        assert!(keys.contains(&key), "{key} is not reported: {keys:?}");
    }
    assert!(
        keys.iter().any(|k| k.ends_with("program")),
        "sinks[].program is not reported: {keys:?}"
    );
    std::fs::write(
        dir.path().join("a.py"),
        "import acme\nacme.run(user.email)\n",
    )
    .unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_privacy-lens"))
        .args(["check", "--no-progress"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("unknown key"), "{stderr}");
    assert!(!marker.exists(), "configuration ran a program");
}

/// Patterns from configuration become regular expressions for the
/// linear-time `regex` crate, and their length is bounded.
#[test]
fn configuration_patterns_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("privacy-lens.toml");
    let long = format!("acme.{}", "a".repeat(600));
    std::fs::write(
        &path,
        format!(
            "[[sinks]]\ncall = \"{long}\"\nkind = \"llm_inference\"\n[paths]\nexclude = [\"{}\"]\n",
            "*".repeat(600)
        ),
    )
    .unwrap();
    let error = privacy_lens::config::load_file(&path)
        .unwrap_err()
        .to_string();
    assert!(error.contains("longer than 512"), "{error}");
    // The worst patterns within the limit compile and match without
    // backtracking blow-up (a backtracking engine would not finish this).
    let stars = format!("acme.{}x", "*a".repeat(100));
    let deep = format!("acme{}", ".**".repeat(100));
    std::fs::write(
        &path,
        format!(
            "[[sinks]]\ncall = \"{stars}\"\nkind = \"llm_inference\"\n[[sinks]]\ncall = \"{deep}\"\nkind = \"training\"\n[sanitizers]\ncalls = [\"{deep}\"]\n[paths]\nexclude = [\"{}\"]\n",
            "**/a*".repeat(80)
        ),
    )
    .unwrap();
    let loaded = privacy_lens::config::load_file(&path).unwrap();
    let options = privacy_lens::analysis::AnalysisOptions {
        extensions: std::sync::Arc::new(loaded.config.extensions()),
        ..Default::default()
    };
    let call = format!("acme.{}x", "a".repeat(300));
    let text = format!("import acme\n{call}(user.email)\n");
    let analysis =
        privacy_lens::analysis::analyze(&text, privacy_lens::language::Language::Python, &options);
    assert_eq!(analysis.findings.len(), 1, "{:?}", analysis.findings);
    let excluded = loaded
        .config
        .exclude
        .is_excluded(&dir.path().join("a".repeat(200)).join("b.py"));
    assert!(!excluded);
}

/// Every edit of every code action (quick fixes and "tag all") is for the
/// document the actions were asked for, whichever edit shape is used.
#[tokio::test]
async fn code_actions_edit_only_the_requested_document() {
    const A: &str = "file:///virtual/project/a.py";
    const B: &str = "file:///virtual/project/b.py";
    let text = "import openai\nclient = openai.OpenAI()\nclient.chat.completions.create(messages=[{'content': user.email}])\nclient.embeddings.create(input=user.phone_number)\n";
    for document_changes in [true, false] {
        let (mut server, _) = TestServer::start(json!({
            "processId": null,
            "capabilities": lsp_support::capabilities(&["utf-16"], document_changes),
            "initializationOptions": { "debounceMs": 0 },
        }))
        .await;
        server.open(A, "python", 1, text).await;
        server.open(B, "python", 1, text).await;
        let (mut diagnostics_a, mut diagnostics_b) = (None, None);
        while diagnostics_a.is_none() || diagnostics_b.is_none() {
            let params = server.notification("textDocument/publishDiagnostics").await;
            let diagnostics = params["diagnostics"].as_array().cloned();
            if params["uri"] == A {
                diagnostics_a = diagnostics;
            } else if params["uri"] == B {
                diagnostics_b = diagnostics;
            }
        }
        let (diagnostics_a, diagnostics_b) = (diagnostics_a.unwrap(), diagnostics_b.unwrap());
        assert!(!diagnostics_a.is_empty());
        // Ask about A, passing B's diagnostics too (a confused client).
        let all: Vec<Value> = diagnostics_a
            .iter()
            .chain(&diagnostics_b)
            .cloned()
            .collect();
        let actions = server
            .request(
                "textDocument/codeAction",
                json!({
                    "textDocument": { "uri": A },
                    "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 4, "character": 0 } },
                    "context": { "diagnostics": all },
                }),
            )
            .await;
        let actions = actions.as_array().expect("actions");
        assert!(!actions.is_empty());
        for action in actions {
            let edit = &action["edit"];
            let uris: Vec<&str> = if let Some(changes) = edit["documentChanges"].as_array() {
                changes
                    .iter()
                    .map(|c| c["textDocument"]["uri"].as_str().unwrap_or("?"))
                    .collect()
            } else {
                edit["changes"]
                    .as_object()
                    .map(|m| m.keys().map(String::as_str).collect())
                    .unwrap_or_default()
            };
            assert!(!uris.is_empty(), "{action}");
            assert!(uris.iter().all(|u| *u == A), "{action}");
            assert!(!action_edits(action, A).is_empty());
        }
        assert!(server.shutdown().await);
    }
}

#[test]
fn output_files_are_written_atomically_where_asked() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("inventory.md");
    std::fs::write(&target, "previous report").unwrap();
    privacy_lens::output::write_atomic(&target, b"# new report\n").unwrap();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "# new report\n");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["inventory.md"], "nothing else is written");
    // A symbolic link planted where the temporary file goes is not followed.
    #[cfg(unix)]
    {
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").unwrap();
        for n in 0..64 {
            let _ = std::os::unix::fs::symlink(
                &victim,
                dir.path()
                    .join(format!(".inventory.md.{}.{n}.tmp", std::process::id())),
            );
        }
        let _ = privacy_lens::output::write_atomic(&target, b"again");
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep");
    }
}

// ---------------------------------------------------------------------------
// Sandboxes: no network namespace, no exec, no sockets
// ---------------------------------------------------------------------------

fn sandbox_required() -> bool {
    std::env::var_os("PRIVACY_LENS_REQUIRE_SANDBOX").is_some()
}

/// Whether `program args…` runs here; skips (or fails when required) if not.
fn available(program: &str, args: &[&str]) -> bool {
    let works = Command::new(program)
        .args(args)
        .output()
        .is_ok_and(|o| o.status.success());
    if !works {
        let message = format!("`{program} {}` does not work here", args.join(" "));
        assert!(!sandbox_required(), "{message}");
        eprintln!("SKIPPED: {message}");
    }
    works
}

const FLOW: &str = "import openai\nclient = openai.OpenAI()\nclient.chat.completions.create(messages=[{'content': user.email}])\n";

fn exercise(process: &mut Process) {
    process.initialize();
    let uri = "file:///virtual/project/chat.py";
    process.open(uri, "python", 1, FLOW);
    let diagnostics = process.diagnostics_for(uri, 1);
    assert!(
        diagnostics.iter().any(|d| d["code"] == "PL101"),
        "{diagnostics:?}"
    );
    let hover = process.request(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": position_of(FLOW, "client.chat", 0, "utf-16") }),
    );
    assert!(hover["result"]["contents"].is_object(), "{hover}");
}

/// In a network namespace with no network at all, the server and `check`
/// work exactly as usual.
#[test]
fn works_without_any_network() {
    if !available("unshare", &["-n", "true"]) {
        return;
    }
    let mut process =
        Process::spawn_with(&["unshare", "-n"], &["lsp"], &[]).expect("unshare starts");
    exercise(&mut process);
    let (status, stderr) = process.shutdown();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let output = Command::new("unshare")
        .args([
            "-n",
            env!("CARGO_BIN_EXE_privacy-lens"),
            "check",
            "--no-progress",
        ])
        .arg(&examples)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1), "findings, not an error");
    assert!(String::from_utf8_lossy(&output.stdout).contains("PL101"));
}

/// Traced with strace: the server starts no program (one `execve`, its
/// own) and creates no network socket.
#[test]
fn the_server_executes_nothing_and_opens_no_socket() {
    if !available("strace", &["-V"]) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("trace");
    let log_arg = log.display().to_string();
    let mut process = Process::spawn_with(
        &[
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=execve,execveat,socket,connect",
            "-o",
            &log_arg,
        ],
        &["lsp"],
        &[],
    )
    .expect("strace starts");
    exercise(&mut process);
    let (status, stderr) = process.shutdown();
    assert_eq!(status.code(), Some(0), "{stderr}");
    let trace = std::fs::read_to_string(&log).unwrap();
    let execs: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("execve(") || l.contains("execveat("))
        .collect();
    assert_eq!(execs.len(), 1, "{execs:#?}");
    assert!(execs[0].contains("privacy-lens"), "{execs:#?}");
    let sockets: Vec<&str> = trace
        .lines()
        .filter(|l| l.contains("socket(") || l.contains("connect("))
        .collect();
    assert!(sockets.is_empty(), "{sockets:#?}");
}
