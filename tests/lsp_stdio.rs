//! `privacy-lens lsp` and `privacy-lens --stdio` as processes: the protocol
//! on stdin/stdout, logs on stderr, exit status 0 after `shutdown` + `exit`
//! and 1 after an `exit` without `shutdown`.

use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn frame(message: &str) -> Vec<u8> {
    format!("Content-Length: {}\r\n\r\n{message}", message.len()).into_bytes()
}

/// Runs the binary with `args` and plays `script` like a client: each
/// message is sent after the response to the previous request (`shutdown`
/// must be answered before `exit`). stdin stays open, as editors keep it:
/// the server must exit on `exit` by itself.
fn run(args: &[&str], script: &[&str]) -> (Option<i32>, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_privacy-lens"))
        .args(args)
        .env("RUST_LOG", "info")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot start privacy-lens");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (sender, received) = std::sync::mpsc::channel::<Vec<u8>>();
    std::thread::spawn(move || {
        let mut buffer = [0; 4096];
        while let Ok(n) = stdout.read(&mut buffer) {
            if n == 0 || sender.send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });
    let mut output = String::new();
    for message in script {
        stdin.write_all(&frame(message)).unwrap();
        stdin.flush().unwrap();
        // Requests (with an id) wait for their response.
        if let Some(id) = message
            .split(r#""id":"#)
            .nth(1)
            .and_then(|rest| rest.split(',').next())
        {
            let wanted = format!(r#""id":{id}"#);
            let deadline = Instant::now() + Duration::from_secs(20);
            while !output.contains(&wanted) {
                let chunk = received
                    .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                    .expect("no response from the server");
                output.push_str(&String::from_utf8_lossy(&chunk));
            }
        }
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!("the server did not exit after `exit` with stdin still open");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(stdin);
    while let Ok(chunk) = received.recv_timeout(Duration::from_millis(200)) {
        output.push_str(&String::from_utf8_lossy(&chunk));
    }
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    (status.code(), output, stderr)
}

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}}"#;
const INITIALIZED: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
const SHUTDOWN: &str = r#"{"jsonrpc":"2.0","id":2,"method":"shutdown"}"#;
const EXIT: &str = r#"{"jsonrpc":"2.0","method":"exit"}"#;

#[test]
fn lsp_subcommand_and_stdio_flag_serve_and_exit_cleanly() {
    for args in [&["lsp"][..], &["--stdio"], &["lsp", "--stdio"]] {
        let (code, stdout, stderr) = run(args, &[INITIALIZE, INITIALIZED, SHUTDOWN, EXIT]);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert!(stdout.starts_with("Content-Length: "), "{args:?}: {stdout}");
        assert!(
            stdout.contains(r#""positionEncoding":"utf-16""#),
            "{stdout}"
        );
        assert!(stdout.contains(r#""name":"privacy-lens""#), "{stdout}");
        // Logs go to stderr, never into the protocol stream.
        assert!(stderr.contains("language server"), "{stderr}");
        assert!(!stdout.contains("language server starting"));
    }
}

#[test]
fn exit_without_shutdown_exits_with_status_1() {
    let (code, _, stderr) = run(&["lsp"], &[INITIALIZE, INITIALIZED, EXIT]);
    assert_eq!(code, Some(1), "{stderr}");
}
