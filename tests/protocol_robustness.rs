//! Protocol robustness: whatever a client sends, in whatever order, the
//! server answers correctly or with the right JSON-RPC error, and keeps
//! serving. In-memory (the real `LspService` over a pipe) for ordering and
//! load; the real binary over stdio for malformed bytes and for panics.

mod lsp_support;
mod process_support;

use lsp_support::{TestServer, position_at, position_of};
use process_support::Process;
use serde_json::{Value, json};

const URI: &str = "file:///virtual/project/chat.py";

const CHAT: &str = r#"import openai

client = openai.OpenAI()


def reply(user):
    prompt = f"Write to {user.email}"
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
"#;

const CALL: &str = "client.chat.completions.create(";

fn hover_params(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

fn error_code(response: &Value) -> Option<i64> {
    response["error"]["code"].as_i64()
}

fn warnings(diagnostics: &[Value]) -> usize {
    diagnostics
        .iter()
        .filter(|d| d["severity"].as_i64().is_some_and(|s| s <= 2))
        .count()
}

/// The server is alive and correct: a fresh document gets its finding and
/// a hover on its call.
async fn still_serving(server: &mut TestServer, uri: &str) {
    server.open(uri, "python", 1, CHAT).await;
    let diagnostics = server.diagnostics_for(uri, 1).await;
    assert_eq!(warnings(&diagnostics), 1, "{diagnostics:#?}");
    let hover = server
        .request(
            "textDocument/hover",
            hover_params(uri, position_of(CHAT, CALL, 0, "utf-16")),
        )
        .await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .is_some_and(|v| v.contains("user.contact.email")),
        "{hover}"
    );
}

#[tokio::test]
async fn requests_before_initialize_get_server_not_initialized() {
    let mut server = TestServer::spawn();
    let response = server
        .request_raw(
            "textDocument/hover",
            hover_params(URI, json!({ "line": 0, "character": 0 })),
        )
        .await;
    assert_eq!(error_code(&response), Some(-32002), "{response}");
    // Notifications before initialize are dropped, not fatal.
    server.open(URI, "python", 1, CHAT).await;
    let result = server
        .request(
            "initialize",
            json!({ "processId": null, "capabilities": {}, "initializationOptions": { "debounceMs": 0 } }),
        )
        .await;
    assert_eq!(result["serverInfo"]["name"], "privacy-lens");
    server.notify("initialized", json!({})).await;
    // The early didOpen was dropped: the document is unknown.
    let hover = server
        .request(
            "textDocument/hover",
            hover_params(URI, position_of(CHAT, CALL, 0, "utf-16")),
        )
        .await;
    assert_eq!(hover, Value::Null);
    // A second initialize is an invalid request.
    let again = server
        .request_raw(
            "initialize",
            json!({ "processId": null, "capabilities": {} }),
        )
        .await;
    assert_eq!(error_code(&again), Some(-32600), "{again}");
    still_serving(&mut server, URI).await;
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn unknown_documents_are_ignored_and_answered_with_null() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let ghost = "file:///virtual/project/ghost.py";
    server
        .change(
            ghost,
            2,
            json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "x" }]),
        )
        .await;
    server
        .notify(
            "textDocument/didSave",
            json!({ "textDocument": { "uri": ghost } }),
        )
        .await;
    server
        .notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": ghost } }),
        )
        .await;
    let hover = server
        .request(
            "textDocument/hover",
            hover_params(ghost, json!({ "line": 0, "character": 0 })),
        )
        .await;
    assert_eq!(hover, Value::Null);
    let actions = server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": ghost },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [] },
            }),
        )
        .await;
    assert_eq!(actions, Value::Null);
    still_serving(&mut server, URI).await;
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn invalid_params_are_an_error_not_a_crash() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let response = server
        .request_raw("textDocument/hover", json!({ "textDocument": 5 }))
        .await;
    assert_eq!(error_code(&response), Some(-32602), "{response}");
    let response = server
        .request_raw("textDocument/codeAction", json!([1, 2]))
        .await;
    assert_eq!(error_code(&response), Some(-32602), "{response}");
    // Broken notifications are dropped.
    server
        .notify(
            "textDocument/didChange",
            json!({ "contentChanges": "nope" }),
        )
        .await;
    server.notify("textDocument/didOpen", json!(null)).await;
    still_serving(&mut server, URI).await;
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn unknown_methods_get_method_not_found() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let response = server
        .request_raw("privacy-lens/doesNotExist", json!({}))
        .await;
    assert_eq!(error_code(&response), Some(-32601), "{response}");
    let response = server.request_raw("textDocument/rename", json!({})).await;
    assert!(error_code(&response).is_some(), "{response}");
    server.notify("$/someExtension", json!({ "x": 1 })).await;
    server.notify("custom/notification", json!([])).await;
    still_serving(&mut server, URI).await;
    assert!(server.shutdown().await);
}

/// Versions that go back are applied in arrival order (the client's text
/// is what counts), and diagnostics follow the latest text.
#[tokio::test]
async fn version_regressions_follow_the_latest_text() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 10, CHAT).await;
    assert_eq!(warnings(&server.diagnostics_for(URI, 10).await), 1);
    // Version 3 (< 10) replaces `user.email` by `ticket_id`.
    let start = CHAT.find("user.email").unwrap();
    let range = json!({
        "start": position_at(CHAT, start, "utf-16"),
        "end": position_at(CHAT, start + "user.email".len(), "utf-16"),
    });
    server
        .change(URI, 3, json!([{ "range": range, "text": "ticket_id" }]))
        .await;
    let diagnostics = server.diagnostics_until(URI, |d| warnings(d) == 0).await;
    assert_eq!(warnings(&diagnostics), 0);
    // Same version again, restoring the flow.
    let edited = CHAT.replace("user.email", "ticket_id");
    let start = edited.find("ticket_id").unwrap();
    let range = json!({
        "start": position_at(&edited, start, "utf-16"),
        "end": position_at(&edited, start + "ticket_id".len(), "utf-16"),
    });
    server
        .change(URI, 3, json!([{ "range": range, "text": "user.email" }]))
        .await;
    let diagnostics = server.diagnostics_until(URI, |d| warnings(d) == 1).await;
    let call = CHAT.find(CALL).unwrap();
    let warning = diagnostics
        .iter()
        .find(|d| d["severity"] == 2)
        .expect("the warning");
    assert_eq!(
        warning["range"]["start"],
        position_at(CHAT, call, "utf-16"),
        "the text is the client's again"
    );
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn changes_for_closed_files_do_not_leak_into_a_reopen() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 1, CHAT).await;
    server.diagnostics_for(URI, 1).await;
    server
        .notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    assert!(server.diagnostics(URI).await["diagnostics"] == json!([]));
    // A late change for the closed file: must be ignored.
    server
        .change(
            URI,
            2,
            json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 99, "character": 0 } }, "text": "" }]),
        )
        .await;
    server.open(URI, "python", 5, CHAT).await;
    let diagnostics = server.diagnostics_for(URI, 5).await;
    assert_eq!(warnings(&diagnostics), 1, "{diagnostics:#?}");
    assert!(server.shutdown().await);
}

/// A hover sent and cancelled at once gets either its result or
/// `RequestCancelled`; either way the server answers what follows.
#[tokio::test]
async fn cancelled_requests_answer_and_the_server_goes_on() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    // A large document, so the analysis the hover waits for takes a while.
    let big = format!("{}{CHAT}", "x = 1\n".repeat(20_000));
    server.open(URI, "python", 1, &big).await;
    let position = position_of(&big, CALL, 0, "utf-16");
    for id in 1000..1020 {
        server
            .send(json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": hover_params(URI, position.clone()) }))
            .await;
        server.notify("$/cancelRequest", json!({ "id": id })).await;
    }
    for id in 1000..1020 {
        let response = server.response(id).await;
        match error_code(&response) {
            None => assert!(response["result"]["contents"].is_object(), "{response}"),
            Some(code) => assert_eq!(code, -32800, "{response}"),
        }
    }
    let hover = server
        .request("textDocument/hover", hover_params(URI, position))
        .await;
    assert!(hover["contents"].is_object(), "{hover}");
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn a_hundred_concurrent_hovers_all_get_the_same_answer() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 1, CHAT).await;
    let position = position_of(CHAT, CALL, 0, "utf-16");
    let ids: Vec<i64> = (5000..5100).collect();
    for id in &ids {
        server
            .send(json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": hover_params(URI, position.clone()) }))
            .await;
    }
    let mut answers = Vec::new();
    for id in &ids {
        let response = server.response(*id).await;
        assert!(response.get("error").is_none(), "{response}");
        answers.push(response["result"].clone());
    }
    assert!(answers[0]["contents"]["value"].is_string());
    assert!(answers.iter().all(|a| *a == answers[0]));
    assert!(server.shutdown().await);
}

/// Thousands of one-character edits sent without pause, as fast typing or
/// a macro does: the server ends with exactly the client's text, publishes
/// the last version and nothing newer, and its positions are right.
#[tokio::test]
async fn rapid_typing_ends_in_the_clients_text() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let mut text = CHAT.to_string();
    server.open(URI, "python", 1, &text).await;
    server.diagnostics_for(URI, 1).await;
    // Type a comment above the call, one character per change, with
    // multi-byte characters and the odd backspace.
    let line_start = text.find("    return").unwrap();
    let typed: Vec<char> = "# réponse 😀 envoyée au modèle\n".chars().collect();
    let mut version = 1;
    let mut cursor = line_start;
    for round in 0..100 {
        for &c in &typed {
            version += 1;
            let at = position_at(&text, cursor, "utf-16");
            server
                .change(
                    URI,
                    version,
                    json!([{ "range": { "start": at, "end": at }, "text": c.to_string() }]),
                )
                .await;
            text.insert(cursor, c);
            cursor += c.len_utf8();
        }
        if round % 10 == 9 {
            // Backspace the last line typed.
            let start = cursor - typed.iter().map(|c| c.len_utf8()).sum::<usize>();
            version += 1;
            let range = json!({
                "start": position_at(&text, start, "utf-16"),
                "end": position_at(&text, cursor, "utf-16"),
            });
            server
                .change(URI, version, json!([{ "range": range, "text": "" }]))
                .await;
            text.replace_range(start..cursor, "");
            cursor = start;
        }
    }
    assert!(version > 3000);
    let diagnostics = server.diagnostics_for(URI, version).await;
    assert_eq!(warnings(&diagnostics), 1, "{diagnostics:#?}");
    let call = text.find(CALL).unwrap();
    let warning = diagnostics.iter().find(|d| d["severity"] == 2).unwrap();
    assert_eq!(
        warning["range"]["start"],
        position_at(&text, call, "utf-16")
    );
    // Nothing for a newer version comes afterwards.
    for message in server.drain(std::time::Duration::from_millis(300)).await {
        if message["method"] == "textDocument/publishDiagnostics" {
            assert!(message["params"]["version"].as_i64() <= Some(version));
        }
    }
    assert!(server.shutdown().await);
}

// ---------------------------------------------------------------------------
// The real binary over stdio
// ---------------------------------------------------------------------------

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// Checks over the process that it still analyses and hovers.
fn process_still_serving(process: &mut Process, uri: &str) {
    process.open(uri, "python", 1, CHAT);
    let diagnostics = process.diagnostics_for(uri, 1);
    assert_eq!(warnings(&diagnostics), 1, "{diagnostics:#?}");
    let hover = process.request(
        "textDocument/hover",
        hover_params(uri, position_of(CHAT, CALL, 0, "utf-16")),
    );
    assert!(hover["result"]["contents"].is_object(), "{hover}");
}

#[test]
fn malformed_messages_get_errors_and_the_session_continues() {
    let mut process = Process::spawn(&[]);
    process.initialize();
    // Not JSON at all.
    process.write_raw(&frame(b"{this is not json"));
    let response = process.response(&Value::Null);
    assert_eq!(error_code(&response), Some(-32700), "{response}");
    // Invalid UTF-8 in the body.
    process.write_raw(&frame(b"{\"jsonrpc\":\"2.0\",\"method\":\"\xff\xfe\"}"));
    let response = process.response(&Value::Null);
    assert_eq!(error_code(&response), Some(-32700), "{response}");
    // JSON, but not JSON-RPC: invalid request, answered with its id.
    process.write_raw(&frame(br#"{"id":77,"hello":"world"}"#));
    let response = process.response(&json!(77));
    assert_eq!(error_code(&response), Some(-32600), "{response}");
    process.write_raw(&frame(b"[1,2,3]"));
    let response = process.response(&Value::Null);
    assert_eq!(error_code(&response), Some(-32600), "{response}");
    // A broken header, then garbage glued to the next header.
    process.write_raw(b"Content-Length: twelve\r\n\r\n");
    let response = process.response(&Value::Null);
    assert_eq!(error_code(&response), Some(-32700), "{response}");
    process.write_raw(b"Content-Type: application/vscode-jsonrpc; charset=latin1\r\n\r\n");
    let response = process.response(&Value::Null);
    assert_eq!(error_code(&response), Some(-32700), "{response}");
    let mut glued = b"garbage".to_vec();
    glued.extend_from_slice(&frame(
        br#"{"jsonrpc":"2.0","id":78,"method":"privacy-lens/nope"}"#,
    ));
    process.write_raw(&glued);
    let response = process.response(&json!(78));
    assert_eq!(error_code(&response), Some(-32601), "{response}");
    // Unknown methods over the wire.
    let response = process.request("workspace/doesNotExist", json!(null));
    assert_eq!(error_code(&response), Some(-32601), "{response}");
    process.notify("$/unknownNotification", json!({}));
    process_still_serving(&mut process, URI);
    let (status, stderr) = process.shutdown();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("malformed message"), "{stderr}");
}

/// A handler that panics fails its request with `InternalError`, is logged
/// (stderr and `window/logMessage`), and the server keeps going. The panic
/// is triggered by the test-only `PRIVACY_LENS_TEST_PANIC_ON` variable.
#[test]
fn panicking_handlers_are_contained() {
    let mut process = Process::spawn(&[(
        "PRIVACY_LENS_TEST_PANIC_ON",
        "textDocument/hover,textDocument/didSave",
    )]);
    process.initialize();
    process.open(URI, "python", 1, CHAT);
    process.diagnostics_for(URI, 1);
    for _ in 0..3 {
        let response = process.request(
            "textDocument/hover",
            hover_params(URI, position_of(CHAT, CALL, 0, "utf-16")),
        );
        assert_eq!(error_code(&response), Some(-32603), "{response}");
        assert!(
            response["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("deliberate test panic")),
            "{response}"
        );
    }
    loop {
        let log = process.notification("window/logMessage");
        if log["message"]
            .as_str()
            .is_some_and(|m| m.contains("panicked"))
        {
            assert_eq!(log["type"], 1, "an error: {log}");
            break;
        }
    }
    process.notify(
        "textDocument/didSave",
        json!({ "textDocument": { "uri": URI } }),
    );
    // Other requests still work.
    let actions = process.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": URI },
            "range": { "start": position_of(CHAT, CALL, 0, "utf-16"), "end": position_of(CHAT, CALL, 0, "utf-16") },
            "context": { "diagnostics": [] },
        }),
    );
    assert!(
        actions["result"].as_array().is_some_and(|a| !a.is_empty()),
        "{actions}"
    );
    let (status, stderr) = process.shutdown();
    assert_eq!(status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("textDocument/hover panicked"), "{stderr}");
    assert!(stderr.contains("textDocument/didSave panicked"), "{stderr}");
}
