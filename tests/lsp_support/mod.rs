//! A language-server client for tests: the real `LspService` served over an
//! in-memory `tokio::io::duplex` pipe with `Content-Length` framing, as an
//! editor would talk to `privacy-lens lsp`.
//!
//! Server-to-client requests are answered automatically
//! (`workspace/configuration` with [`TestServer::settings`], everything else
//! with `null`) and recorded; notifications are queued until a test asks
//! for them.

#![allow(dead_code)]

use std::collections::VecDeque;
use std::time::Duration;

use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, DuplexStream, WriteHalf};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How long a test waits for any one message before failing.
pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct TestServer {
    writer: WriteHalf<DuplexStream>,
    incoming: mpsc::UnboundedReceiver<Value>,
    /// Notifications received but not yet taken by the test.
    queued: VecDeque<Value>,
    next_id: i64,
    server: Option<JoinHandle<bool>>,
    /// What `workspace/configuration` answers (per requested item).
    pub settings: Value,
    /// Server-to-client requests seen, in order.
    pub server_requests: Vec<Value>,
}

/// Client capabilities like a modern editor's.
pub fn capabilities(encodings: &[&str], document_changes: bool) -> Value {
    json!({
        "general": { "positionEncodings": encodings },
        "workspace": {
            "workspaceEdit": { "documentChanges": document_changes },
            "configuration": true,
            "didChangeWatchedFiles": { "dynamicRegistration": true },
        },
        "textDocument": {
            "publishDiagnostics": { "relatedInformation": true, "versionSupport": true },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
            "codeAction": { "codeActionLiteralSupport": { "codeActionKind": { "valueSet": ["quickfix", "source"] } } },
        },
    })
}

impl TestServer {
    /// Starts a server and completes `initialize`/`initialized`.
    pub async fn start(initialize_params: Value) -> (TestServer, Value) {
        let mut server = TestServer::spawn();
        let result = server.request("initialize", initialize_params).await;
        server.notify("initialized", json!({})).await;
        (server, result)
    }

    /// Starts a server with the given position encodings on offer, default settings.
    pub async fn with_encodings(encodings: &[&str]) -> TestServer {
        let (server, _) = TestServer::start(json!({
            "processId": null,
            "rootUri": null,
            "capabilities": capabilities(encodings, true),
            // No debounce: tests wait for each publication anyway.
            "initializationOptions": { "debounceMs": 0 },
        }))
        .await;
        server
    }

    /// A server whose `initialize` has not been sent yet.
    pub fn spawn() -> TestServer {
        let (client_end, server_end) = tokio::io::duplex(1 << 22);
        let (server_read, server_write) = tokio::io::split(server_end);
        let server = tokio::spawn(privacy_lens::server::serve(server_read, server_write));
        let (client_read, client_write) = tokio::io::split(client_end);
        let (sender, incoming) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut reader = BufReader::new(client_read);
            while let Some(message) = read_message(&mut reader).await {
                if sender.send(message).is_err() {
                    break;
                }
            }
        });
        TestServer {
            writer: client_write,
            incoming,
            queued: VecDeque::new(),
            next_id: 1,
            server: Some(server),
            settings: Value::Null,
            server_requests: Vec::new(),
        }
    }

    pub async fn send(&mut self, message: Value) {
        let body = serde_json::to_vec(&message).unwrap();
        let header = format!("Content-Length: {}\r\n\r\n", body.len());
        self.writer.write_all(header.as_bytes()).await.unwrap();
        self.writer.write_all(&body).await.unwrap();
        self.writer.flush().await.unwrap();
    }

    pub async fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }))
            .await;
    }

    /// Sends a request and returns its whole response (`result` or `error`).
    pub async fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))
            .await;
        self.response(id).await
    }

    /// Waits for the response to request `id`.
    pub async fn response(&mut self, id: i64) -> Value {
        loop {
            let message = self
                .next_message(&format!("the response to request {id}"))
                .await;
            if message.get("id") == Some(&json!(id)) && message.get("method").is_none() {
                return message;
            }
            self.queued.push_back(message);
        }
    }

    /// Sends a request and returns its `result`, failing on an error response.
    pub async fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params).await;
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}");
        }
        response["result"].clone()
    }

    /// The next message from the server, answering its requests on the way.
    async fn next_message(&mut self, waiting_for: &str) -> Value {
        loop {
            let message = tokio::time::timeout(TIMEOUT, self.incoming.recv())
                .await
                .unwrap_or_else(|_| panic!("timed out waiting for {waiting_for}"))
                .unwrap_or_else(|| {
                    panic!("the server closed the pipe while waiting for {waiting_for}")
                });
            if let (Some(id), Some(method)) = (message.get("id"), message.get("method")) {
                let result = match method.as_str() {
                    Some("workspace/configuration") => {
                        let n = message["params"]["items"].as_array().map_or(1, Vec::len);
                        Value::Array(vec![self.settings.clone(); n])
                    }
                    _ => Value::Null,
                };
                let id = id.clone();
                self.server_requests.push(message);
                self.send(json!({ "jsonrpc": "2.0", "id": id, "result": result }))
                    .await;
                continue;
            }
            return message;
        }
    }

    /// The next notification with `method` (earlier ones of other methods stay queued).
    pub async fn notification(&mut self, method: &str) -> Value {
        if let Some(index) = self.queued.iter().position(|m| m["method"] == method) {
            return self.queued.remove(index).unwrap()["params"].clone();
        }
        loop {
            let message = self.next_message(method).await;
            if message["method"] == method {
                return message["params"].clone();
            }
            self.queued.push_back(message);
        }
    }

    /// The next `publishDiagnostics` for `uri`.
    pub async fn diagnostics(&mut self, uri: &str) -> Value {
        loop {
            let params = self.notification("textDocument/publishDiagnostics").await;
            if params["uri"] == uri {
                return params;
            }
        }
    }

    /// Waits for the diagnostics of `uri` at `version`, asserting that no
    /// publication is for an older version than the one before it.
    pub async fn diagnostics_for(&mut self, uri: &str, version: i64) -> Vec<Value> {
        let mut last = i64::MIN;
        loop {
            let params = self.diagnostics(uri).await;
            let published = params["version"].as_i64().unwrap_or(i64::MIN);
            assert!(
                published >= last,
                "diagnostics went back from version {last} to {published}"
            );
            last = published;
            if published == version {
                return params["diagnostics"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
            }
            assert!(
                published < version,
                "published version {published} is newer than {version}"
            );
        }
    }

    /// Waits for a publication for `uri` whose diagnostics satisfy `accept`
    /// (republications after a settings change may come more than once).
    pub async fn diagnostics_until(
        &mut self,
        uri: &str,
        accept: impl Fn(&[Value]) -> bool,
    ) -> Vec<Value> {
        loop {
            let params = self.diagnostics(uri).await;
            let diagnostics = params["diagnostics"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            if accept(&diagnostics) {
                return diagnostics;
            }
        }
    }

    /// Notifications queued and still arriving within `wait`, without blocking longer.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let mut out: Vec<Value> = self.queued.drain(..).collect();
        while let Ok(Some(message)) = tokio::time::timeout(wait, self.incoming.recv()).await {
            out.push(message);
        }
        out
    }

    pub async fn open(&mut self, uri: &str, language_id: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": language_id, "version": version, "text": text } }),
        )
        .await;
    }

    pub async fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        )
        .await;
    }

    /// `shutdown` then `exit`; returns whether the server reported a clean exit.
    pub async fn shutdown(mut self) -> bool {
        let result = self.request("shutdown", Value::Null).await;
        assert_eq!(result, Value::Null);
        self.notify("exit", Value::Null).await;
        self.join().await
    }

    /// Waits for the server task to end; its result says whether `shutdown` came first.
    pub async fn join(mut self) -> bool {
        let server = self.server.take().unwrap();
        tokio::time::timeout(TIMEOUT, server)
            .await
            .expect("the server did not stop after exit")
            .expect("the server task panicked")
    }
}

async fn read_message<R: tokio::io::AsyncBufRead + Unpin>(reader: &mut R) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).await.ok()?;
    serde_json::from_slice(&body).ok()
}

// ---------------------------------------------------------------------------
// Positions and edits on the client side
// ---------------------------------------------------------------------------

/// The length of `text` in the units of `encoding` ("utf-8", "utf-16", "utf-32").
pub fn units(text: &str, encoding: &str) -> usize {
    match encoding {
        "utf-8" => text.len(),
        "utf-16" => text.encode_utf16().count(),
        "utf-32" => text.chars().count(),
        other => panic!("unknown encoding {other}"),
    }
}

/// The LSP position of byte offset `byte` in `text`.
pub fn position_at(text: &str, byte: usize, encoding: &str) -> Value {
    let before = &text[..byte];
    let line = before.matches('\n').count();
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": units(&text[line_start..byte], encoding) })
}

/// The position of the `nth` occurrence of `needle`.
pub fn position_of(text: &str, needle: &str, nth: usize, encoding: &str) -> Value {
    let byte = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("{needle:?} not found"))
        .0;
    position_at(text, byte, encoding)
}

/// The byte offset of an LSP position in `text`.
pub fn offset_at(text: &str, position: &Value, encoding: &str) -> usize {
    let line = position["line"].as_u64().unwrap() as usize;
    let character = position["character"].as_u64().unwrap() as usize;
    let line_start = if line == 0 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 1)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    let line_end = text[line_start..]
        .find('\n')
        .map_or(text.len(), |i| line_start + i);
    let line_text = &text[line_start..line_end];
    let mut seen = 0;
    for (i, c) in line_text.char_indices() {
        if seen >= character {
            return line_start + i;
        }
        seen += units(&c.to_string(), encoding);
    }
    line_end
}

/// Applies LSP text edits (non-overlapping, positions in the original text).
pub fn apply_edits(text: &str, edits: &[Value], encoding: &str) -> String {
    let mut resolved: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|edit| {
            (
                offset_at(text, &edit["range"]["start"], encoding),
                offset_at(text, &edit["range"]["end"], encoding),
                edit["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    resolved.sort_by_key(|(start, end, _)| (*start, *end));
    let mut out = text.to_string();
    for (start, end, new_text) in resolved.into_iter().rev() {
        out.replace_range(start..end, &new_text);
    }
    out
}

/// The text edits of a code action's workspace edit for `uri`, in either shape.
pub fn action_edits(action: &Value, uri: &str) -> Vec<Value> {
    let edit = &action["edit"];
    if let Some(changes) = edit["documentChanges"].as_array() {
        return changes
            .iter()
            .filter(|c| c["textDocument"]["uri"] == uri)
            .flat_map(|c| c["edits"].as_array().cloned().unwrap_or_default())
            .collect();
    }
    edit["changes"][uri].as_array().cloned().unwrap_or_default()
}

/// The edits as `didChange` content changes, last first, so that each range
/// is still valid in the text left by the changes before it.
pub fn as_content_changes(edits: &[Value], text: &str, encoding: &str) -> Value {
    let mut edits: Vec<&Value> = edits.iter().collect();
    edits.sort_by_key(|e| offset_at(text, &e["range"]["start"], encoding));
    Value::Array(
        edits
            .into_iter()
            .rev()
            .map(|e| json!({ "range": e["range"], "text": e["newText"] }))
            .collect(),
    )
}
