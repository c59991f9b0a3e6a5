//! Editor latency of `privacy-lens lsp`, measured like an editor sees it:
//! the real binary over stdin/stdout pipes, on generated Python files with
//! realistic flows (500, 5,000 and 20,000 lines by default; a fresh server
//! for each size).
//!
//! ```sh
//! cargo bench --bench lsp_latency                       # release build, defaults
//! cargo bench --bench lsp_latency -- --iterations 300 --lines 500,5000,20000 --debounce-ms 0
//! cargo bench --bench lsp_latency -- --server target/release/privacy-lens --json
//! ```
//!
//! `--server PATH` measures another binary (default: the one cargo built);
//! `--json` also prints one line `RESULT {...}` per size, with every
//! measure in milliseconds (`benches/run.py` reads these).
//!
//! Measures, each as median and p95 over `--iterations` runs:
//! - `didChange → publishDiagnostics`: one typed character in a function
//!   body in the middle of the file, until the diagnostics of that version
//!   arrive (incremental reparse + analysis + conversion + JSON). The
//!   server's debounce is set with `--debounce-ms` (default 0, so the figure
//!   is the work itself; editors get the 50 ms default on top).
//! - `hover` on an AI call whose analysis is current.
//! - `codeAction` on the same call.
//! - `hover right after an edit`: the hover has to wait for the analysis.
//!
//! Not a test: nothing here runs in `cargo test`, nothing fails on a slow
//! machine.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

#[path = "common/mod.rs"]
mod common;

const URI: &str = "file:///bench/project/service.py";
const TIMEOUT: Duration = Duration::from_secs(30);

struct Options {
    iterations: usize,
    lines: Vec<usize>,
    debounce_ms: u64,
    server: Option<String>,
    json: bool,
}

fn parse_args() -> Options {
    let mut options = Options {
        iterations: 200,
        lines: vec![500, 5000, 20000],
        debounce_ms: 0,
        server: None,
        json: false,
    };
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i < args.len() {
        let value = || args.get(i + 1).and_then(|v| v.parse::<u64>().ok());
        match args[i].as_str() {
            "--iterations" => options.iterations = value().unwrap_or(200) as usize,
            "--lines" => {
                let list = args.get(i + 1).map(String::as_str).unwrap_or("");
                let sizes: Vec<usize> = list
                    .split(',')
                    .filter_map(|v| v.trim().parse().ok())
                    .collect();
                if !sizes.is_empty() {
                    options.lines = sizes;
                }
            }
            "--debounce-ms" => options.debounce_ms = value().unwrap_or(0),
            "--server" => options.server = args.get(i + 1).cloned(),
            "--json" => {
                options.json = true;
                i += 1;
                continue;
            }
            // `cargo bench` passes `--bench`; ignore what we do not know.
            _ => {
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    options
}

struct Server {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Messages received while waiting for something else.
    queued: std::collections::VecDeque<Value>,
    next_id: i64,
}

impl Server {
    fn start(binary: &str) -> Server {
        let mut child = Command::new(binary)
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            // The server's log, when asked for (RUST_LOG=debug LSP_BENCH_LOG=1).
            .stderr(if std::env::var_os("LSP_BENCH_LOG").is_some() {
                Stdio::inherit()
            } else {
                Stdio::null()
            })
            .spawn()
            .expect("cannot start privacy-lens lsp");
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (sender, incoming) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            loop {
                let mut length = None;
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(value) = line.strip_prefix("Content-Length:") {
                        length = value.trim().parse::<usize>().ok();
                    }
                }
                let Some(length) = length else { return };
                let mut body = vec![0; length];
                if reader.read_exact(&mut body).is_err() {
                    return;
                }
                let Ok(message) = serde_json::from_slice(&body) else {
                    return;
                };
                if sender.send(message).is_err() {
                    return;
                }
            }
        });
        Server {
            child,
            stdin,
            incoming,
            queued: std::collections::VecDeque::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, message: &Value) {
        let body = serde_json::to_vec(message).unwrap();
        write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len()).unwrap();
        self.stdin.write_all(&body).unwrap();
        self.stdin.flush().unwrap();
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn recv(&mut self) -> Value {
        loop {
            let message = match self.incoming.recv_timeout(TIMEOUT) {
                Ok(message) => message,
                Err(RecvTimeoutError::Timeout) => {
                    panic!("no message from the server in {TIMEOUT:?}")
                }
                Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
            };
            // Answer server requests (configuration, registrations) with null.
            if let (Some(id), Some(_)) = (message.get("id"), message.get("method")) {
                let id = id.clone();
                self.send(&json!({ "jsonrpc": "2.0", "id": id, "result": null }));
                continue;
            }
            return message;
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.recv();
            if message.get("id") == Some(&json!(id)) {
                return message["result"].clone();
            }
            self.queued.push_back(message);
        }
    }

    /// Waits for the diagnostics of `version`; returns how many there were.
    fn diagnostics(&mut self, version: i64) -> usize {
        loop {
            let message = match self.queued.pop_front() {
                Some(message) => message,
                None => self.recv(),
            };
            if message["method"] == "textDocument/publishDiagnostics"
                && message["params"]["version"] == version
            {
                return message["params"]["diagnostics"]
                    .as_array()
                    .map_or(0, Vec::len);
            }
        }
    }
}

/// Line and UTF-16 column of a byte offset (the file is ASCII).
fn position(text: &str, byte: usize) -> Value {
    let before = &text[..byte];
    let line = before.matches('\n').count();
    let column = byte - before.rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": column })
}

/// Prints one measure and returns it as JSON (milliseconds).
fn report(name: &str, samples: &mut [Duration]) -> Value {
    samples.sort();
    let pick = |q: f64| {
        let index = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples[index].as_secs_f64() * 1000.0
    };
    println!(
        "{name:<40} median {:>8.2} ms   p95 {:>8.2} ms   min {:>8.2} ms   max {:>8.2} ms   (n={})",
        pick(0.5),
        pick(0.95),
        pick(0.0),
        pick(1.0),
        samples.len()
    );
    json!({ "median": pick(0.5), "p95": pick(0.95), "min": pick(0.0), "max": pick(1.0), "n": samples.len() })
}

fn main() {
    let options = parse_args();
    let binary = options
        .server
        .clone()
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_privacy-lens").to_owned());
    for (i, &lines) in options.lines.iter().enumerate() {
        if i > 0 {
            println!();
        }
        let result = measure(&binary, lines, &options);
        if options.json {
            println!("RESULT {result}");
        }
    }
}

/// Runs every measure on a generated file of `lines` lines with a fresh server.
fn measure(binary: &str, lines: usize, options: &Options) -> Value {
    let text = common::python(lines);
    let n_lines = text.lines().count();

    let mut server = Server::start(binary);
    server.request(
        "initialize",
        json!({
            "processId": null,
            "capabilities": { "general": { "positionEncodings": ["utf-16"] } },
            "initializationOptions": { "debounceMs": options.debounce_ms },
        }),
    );
    server.notify("initialized", json!({}));

    let opened = Instant::now();
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": URI, "languageId": "python", "version": 1, "text": text } }),
    );
    let n_diagnostics = server.diagnostics(1);
    let first = opened.elapsed();
    println!(
        "privacy-lens lsp on a generated file: {n_lines} lines, {} bytes, {n_diagnostics} diagnostics; debounce {} ms",
        text.len(),
        options.debounce_ms
    );
    println!(
        "{:<40} {:>8.2} ms",
        "didOpen → first diagnostics (full parse)",
        first.as_secs_f64() * 1000.0
    );

    // Edit inside a string in the middle of the file: insert, then delete,
    // so the text and the findings stay the same size.
    let middle = text.len() / 2;
    let edit_at = middle + text[middle..].find("You are a support agent.").unwrap() + 4;
    let edit_position = position(&text, edit_at);
    let call_at = middle
        + text[middle..]
            .find("client.chat.completions.create(")
            .unwrap()
        + 12;
    let call_position = position(&text, call_at);

    let mut version = 1;
    let change = |server: &mut Server, version: i64| {
        let insert = version % 2 == 0;
        let end = if insert {
            edit_position.clone()
        } else {
            json!({ "line": edit_position["line"], "character": edit_position["character"].as_u64().unwrap() + 1 })
        };
        server.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": URI, "version": version },
                "contentChanges": [{ "range": { "start": edit_position, "end": end }, "text": if insert { "x" } else { "" } }],
            }),
        );
    };

    // Warm up: a few edits before measuring.
    for _ in 0..5 {
        version += 1;
        change(&mut server, version);
        server.diagnostics(version);
    }

    let mut keystroke = Vec::with_capacity(options.iterations);
    for _ in 0..options.iterations {
        version += 1;
        let started = Instant::now();
        change(&mut server, version);
        let n = server.diagnostics(version);
        keystroke.push(started.elapsed());
        assert_eq!(n, n_diagnostics, "the edit must not change the findings");
    }

    let hover_params = json!({ "textDocument": { "uri": URI }, "position": call_position });
    let mut hover = Vec::with_capacity(options.iterations);
    for _ in 0..options.iterations {
        let started = Instant::now();
        let result = server.request("textDocument/hover", hover_params.clone());
        hover.push(started.elapsed());
        assert!(
            result["contents"]["value"].is_string(),
            "no hover at the call: {result}"
        );
    }

    let action_params = json!({
        "textDocument": { "uri": URI },
        "range": { "start": call_position, "end": call_position },
        "context": { "diagnostics": [] },
    });
    let mut code_action = Vec::with_capacity(options.iterations);
    for _ in 0..options.iterations {
        let started = Instant::now();
        let result = server.request("textDocument/codeAction", action_params.clone());
        code_action.push(started.elapsed());
        assert!(result.is_array(), "no code actions at the call: {result}");
    }

    let mut hover_after_edit = Vec::with_capacity(options.iterations);
    for _ in 0..options.iterations {
        version += 1;
        change(&mut server, version);
        let started = Instant::now();
        let result = server.request("textDocument/hover", hover_params.clone());
        hover_after_edit.push(started.elapsed());
        assert!(result["contents"]["value"].is_string());
        server.diagnostics(version);
    }

    let result = json!({
        "lines": n_lines,
        "bytes": text.len(),
        "diagnostics": n_diagnostics,
        "debounce_ms": options.debounce_ms,
        "did_open_ms": first.as_secs_f64() * 1000.0,
        "did_change": report("didChange → publishDiagnostics", &mut keystroke),
        "hover": report("hover (analysis current)", &mut hover),
        "code_action": report("codeAction (analysis current)", &mut code_action),
        "hover_after_edit": report("hover right after an edit", &mut hover_after_edit),
    });

    server.request("shutdown", Value::Null);
    server.notify("exit", Value::Null);
    let status = server.child.wait().expect("the server did not exit");
    assert!(status.success(), "exit status {status} after shutdown/exit");
    result
}
