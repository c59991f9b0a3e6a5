//! The language server end to end: the real `LspService` over an in-memory
//! pipe, driven like an editor drives `privacy-lens lsp`.

mod lsp_support;

use std::time::Duration;

use lsp_support::{
    TestServer, action_edits, apply_edits, as_content_changes, capabilities, position_at,
    position_of, units,
};
use serde_json::{Value, json};

const URI: &str = "file:///virtual/project/chat.py";

/// A hosted LLM call receiving an e-mail address, with multi-byte text
/// before the flow on its lines.
const CHAT: &str = r#"import openai

client = openai.OpenAI()


def reply(user):
    note = "café 😀"
    prompt = f"Write to {user.email}"
    return client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
"#;

const CALL: &str = "client.chat.completions.create(";

fn warnings(diagnostics: &[Value]) -> Vec<&Value> {
    diagnostics
        .iter()
        .filter(|d| d["severity"].as_i64().is_some_and(|s| s <= 2))
        .collect()
}

/// The range of the call expression starting with `CALL` in `text`.
fn call_range(text: &str, encoding: &str) -> Value {
    let start = text.find(CALL).unwrap();
    let end = start + text[start..].find("}])").unwrap() + "}])".len();
    json!({ "start": position_at(text, start, encoding), "end": position_at(text, end, encoding) })
}

#[tokio::test]
async fn initialize_negotiates_the_position_encoding() {
    for (offered, expected) in [
        (vec!["utf-16", "utf-8"], "utf-8"),
        (vec!["utf-32", "utf-16"], "utf-32"),
        (vec![], "utf-16"),
    ] {
        let (server, result) = TestServer::start(json!({
            "processId": null,
            "capabilities": capabilities(&offered, false),
        }))
        .await;
        let caps = &result["capabilities"];
        assert_eq!(caps["positionEncoding"], expected, "offered {offered:?}");
        assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
        assert_eq!(caps["hoverProvider"], true);
        assert_eq!(
            caps["codeActionProvider"]["codeActionKinds"],
            json!(["quickfix", "source.privacy-lens.tagAll"])
        );
        assert_eq!(result["serverInfo"]["name"], "privacy-lens");
        assert!(server.shutdown().await, "clean exit after shutdown");
    }
}

#[tokio::test]
async fn exit_without_shutdown_is_not_clean() {
    let (mut server, _) = TestServer::start(json!({ "processId": null, "capabilities": {} })).await;
    server.notify("exit", Value::Null).await;
    assert!(!server.join().await);
}

#[tokio::test]
async fn opening_a_document_publishes_its_diagnostics() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 1, CHAT).await;
    let diagnostics = server.diagnostics_for(URI, 1).await;
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let d = &diagnostics[0];
    assert_eq!(d["code"], "PL101");
    assert_eq!(d["source"], "privacy-lens");
    assert_eq!(d["severity"], 2, "warning");
    assert_eq!(d["range"], call_range(CHAT, "utf-16"));
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("user.contact.email")
    );
    assert_eq!(d["data"], json!({ "version": 1, "index": 0 }));
    if let Some(href) = d["codeDescription"]["href"].as_str() {
        assert!(
            href.starts_with("file://") && href.ends_with("/PL101.md"),
            "{href}"
        );
    }
    // The flow path: the source, the assignment, the call.
    let related = d["relatedInformation"].as_array().unwrap();
    assert_eq!(related.len(), 3, "{related:#?}");
    let source = CHAT.find("user.email").unwrap();
    assert_eq!(
        related[0]["location"]["range"]["start"],
        position_at(CHAT, source, "utf-16")
    );
    assert_eq!(related[0]["location"]["uri"], URI);
    assert!(
        related[0]["message"]
            .as_str()
            .unwrap()
            .contains("user.email")
    );
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn other_languages_get_no_diagnostics() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let uri = "file:///virtual/project/notes.txt";
    server.open(uri, "plaintext", 1, CHAT).await;
    assert!(server.diagnostics_for(uri, 1).await.is_empty());
    assert!(server.shutdown().await);
}

/// Edits with é and emoji before the flow, and edits spanning lines, in
/// UTF-16 and UTF-8: the diagnostic moves by exactly the inserted units,
/// disappears when the source line goes, and comes back with it.
#[tokio::test]
async fn edits_move_and_remove_diagnostics_in_every_encoding() {
    for encoding in ["utf-16", "utf-8"] {
        let mut server = TestServer::with_encodings(&[encoding]).await;
        let mut text = CHAT.to_string();
        server.open(URI, "python", 1, &text).await;
        let diagnostics = server.diagnostics_for(URI, 1).await;
        assert_eq!(diagnostics[0]["range"], call_range(&text, encoding));

        // 1. Insert multi-byte text before the call on its own line.
        let at = text.find("return client").unwrap();
        let inserted = "x = \"😀é\"; ";
        server
            .change(
                URI,
                2,
                json!([{ "range": { "start": position_at(&text, at, encoding), "end": position_at(&text, at, encoding) }, "text": inserted }]),
            )
            .await;
        text.insert_str(at, inserted);
        let diagnostics = server.diagnostics_for(URI, 2).await;
        assert_eq!(diagnostics.len(), 1, "{encoding}: {diagnostics:#?}");
        let range = call_range(&text, encoding);
        assert_eq!(diagnostics[0]["range"], range, "{encoding}");
        let shifted = units("    x = \"😀é\"; return ", encoding);
        assert_eq!(range["start"]["character"], shifted, "{encoding}");

        // 2. Two changes in one notification; the second's range refers to
        //    the text after the first. Rename `note` (before the emoji) and
        //    add an emoji after `café`.
        let note = text.find("note").unwrap();
        let first = json!({ "range": { "start": position_at(&text, note, encoding), "end": position_at(&text, note + 4, encoding) }, "text": "remarque" });
        text.replace_range(note..note + 4, "remarque");
        let cafe_end = text.find("café").unwrap() + "café".len();
        let second = json!({ "range": { "start": position_at(&text, cafe_end, encoding), "end": position_at(&text, cafe_end, encoding) }, "text": "🎉" });
        text.insert(cafe_end, '🎉');
        server.change(URI, 3, json!([first, second])).await;
        let diagnostics = server.diagnostics_for(URI, 3).await;
        assert_eq!(
            diagnostics[0]["range"],
            call_range(&text, encoding),
            "{encoding}"
        );

        // 3. Delete across lines: from the end of the `remarque` line to the
        //    end of the `prompt` line. The source is gone, so is the finding.
        let from = text.find("\n    prompt").unwrap();
        let to = text[from + 1..].find('\n').unwrap() + from + 1;
        let removed = text[from..to].to_string();
        server
            .change(
                URI,
                4,
                json!([{ "range": { "start": position_at(&text, from, encoding), "end": position_at(&text, to, encoding) }, "text": "" }]),
            )
            .await;
        text.replace_range(from..to, "");
        assert!(
            server.diagnostics_for(URI, 4).await.is_empty(),
            "{encoding}"
        );

        // 4. Put the line back (an insertion that spans lines).
        server
            .change(
                URI,
                5,
                json!([{ "range": { "start": position_at(&text, from, encoding), "end": position_at(&text, from, encoding) }, "text": removed }]),
            )
            .await;
        text.insert_str(from, &removed);
        let diagnostics = server.diagnostics_for(URI, 5).await;
        assert_eq!(diagnostics.len(), 1, "{encoding}");
        assert_eq!(
            diagnostics[0]["range"],
            call_range(&text, encoding),
            "{encoding}"
        );
        let related = diagnostics[0]["relatedInformation"].as_array().unwrap();
        let source = text.find("user.email").unwrap();
        assert_eq!(
            related[0]["location"]["range"]["start"],
            position_at(&text, source, encoding)
        );

        // 5. A full-text replacement (no range) is accepted too.
        server
            .change(URI, 6, json!([{ "text": "print('hello')\n" }]))
            .await;
        assert!(server.diagnostics_for(URI, 6).await.is_empty());
        assert!(server.shutdown().await);
    }
}

#[tokio::test]
async fn rapid_edits_publish_only_current_versions() {
    let (mut server, _) = TestServer::start(json!({
        "processId": null,
        "capabilities": capabilities(&["utf-16"], true),
        // The default debounce, as editors get it.
    }))
    .await;
    server.open(URI, "python", 1, CHAT).await;
    server.diagnostics_for(URI, 1).await;
    let mut text = CHAT.to_string();
    // Type a comment at the top, one character per version.
    for (i, c) in "# typing quickly".chars().enumerate() {
        let at = position_at(&text, i, "utf-16");
        server
            .change(
                URI,
                2 + i as i64,
                json!([{ "range": { "start": at, "end": at }, "text": c.to_string() }]),
            )
            .await;
        text.insert(i, c);
    }
    let last = 1 + "# typing quickly".len() as i64;
    let diagnostics = server.diagnostics_for(URI, last).await;
    assert_eq!(diagnostics[0]["range"], call_range(&text, "utf-16"));
    // Nothing older arrives afterwards.
    for message in server.drain(Duration::from_millis(200)).await {
        if message["method"] == "textDocument/publishDiagnostics" {
            assert_eq!(message["params"]["version"], last);
        }
    }
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn out_of_range_changes_are_clamped_and_logged() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 1, CHAT).await;
    server.diagnostics_for(URI, 1).await;
    // Past the last line: appended at the end. Past a line's end: at its end.
    server
        .change(
            URI,
            2,
            json!([
                { "range": { "start": { "line": 999, "character": 0 }, "end": { "line": 999, "character": 5 } }, "text": "\n# tail\n" },
                { "range": { "start": { "line": 0, "character": 400 }, "end": { "line": 0, "character": 400 } }, "text": "  # openai" },
            ]),
        )
        .await;
    let diagnostics = server.diagnostics_for(URI, 2).await;
    assert_eq!(diagnostics.len(), 1);
    loop {
        let log = server.notification("window/logMessage").await;
        if log["message"].as_str().unwrap().contains("clamped") {
            assert_eq!(log["type"], 2, "a warning");
            break;
        }
    }
    // The text the server holds is what a client clamping the same way holds.
    let expected = CHAT.replacen("import openai", "import openai  # openai", 1) + "\n# tail\n";
    let hover = server
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": position_of(&expected, CALL, 0, "utf-16") }),
        )
        .await;
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("openai.chat.completions.create")
    );
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn hover_on_a_sink_explains_the_flow() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 1, CHAT).await;
    server.diagnostics_for(URI, 1).await;
    let position = position_of(CHAT, "completions", 0, "utf-16");
    let hover = server
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": position }),
        )
        .await;
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert_eq!(hover["range"], call_range(CHAT, "utf-16"));
    let value = hover["contents"]["value"].as_str().unwrap();
    let first_line = value.lines().next().unwrap();
    assert!(first_line.contains("user.contact.email"), "{first_line}");
    assert!(
        first_line.contains("openai.chat.completions.create"),
        "{first_line}"
    );
    assert!(first_line.contains("not declared"), "{first_line}");
    assert!(value.contains("line 8: `user.email`"), "{value}");
    insta::assert_snapshot!("hover_on_sink", value);
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn hover_on_a_source_says_why_and_where_it_goes() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 1, CHAT).await;
    server.diagnostics_for(URI, 1).await;
    let position = position_of(CHAT, "email}", 0, "utf-16");
    let hover = server
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": position }),
        )
        .await;
    let value = hover["contents"]["value"].as_str().unwrap();
    assert!(
        value.starts_with("**`user.email` is personal data**: `user.contact.email`"),
        "{value}"
    );
    assert!(value.contains("**Reaches**"), "{value}");
    assert!(
        value.contains("line 9: `openai.chat.completions.create`"),
        "{value}"
    );
    let start = CHAT.find("user.email").unwrap();
    assert_eq!(hover["range"]["start"], position_at(CHAT, start, "utf-16"));
    // Nothing to say about a line without findings.
    let hover = server
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": { "line": 0, "character": 2 } }),
        )
        .await;
    assert_eq!(hover, Value::Null);
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn hover_on_a_tag_key_explains_it() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let text = CHAT.replace(
        "    return client",
        "    # @data-use essential.service data=user.contact.email basis=contract\n    return client",
    );
    server.open(URI, "python", 1, &text).await;
    server.diagnostics_for(URI, 1).await;
    for (word, expected) in [
        ("essential.service", "essential.service"),
        ("contact.email", "user.contact.email"),
        ("@data-use", "data-use"),
    ] {
        let hover = server
            .request(
                "textDocument/hover",
                json!({ "textDocument": { "uri": URI }, "position": position_of(&text, word, 0, "utf-16") }),
            )
            .await;
        assert_ne!(hover, Value::Null, "no hover on {word}");
        let value = hover["contents"]["value"].as_str().unwrap();
        assert!(value.contains(expected), "{word}: {value}");
    }
    assert!(server.shutdown().await);
}

/// Requests the quick fixes of the first warning and applies the "Add
/// data-use tag" one like an editor: the warning goes away.
async fn apply_add_tag(server: &mut TestServer, encoding: &str, document_changes: bool) {
    let mut text = CHAT.to_string();
    server.open(URI, "python", 1, &text).await;
    let diagnostics = server.diagnostics_for(URI, 1).await;
    let diagnostic = diagnostics[0].clone();
    let actions = server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": diagnostic["range"],
                "context": { "diagnostics": [diagnostic] },
            }),
        )
        .await;
    let actions = actions.as_array().expect("code actions");
    let add_tag = actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with("Add data-use tag"))
        .unwrap_or_else(|| panic!("no Add data-use tag action in {actions:#?}"));
    assert_eq!(add_tag["kind"], "quickfix");
    assert_eq!(add_tag["isPreferred"], true);
    assert_eq!(add_tag["diagnostics"][0]["code"], "PL101");
    if document_changes {
        let change = &add_tag["edit"]["documentChanges"][0];
        assert_eq!(change["textDocument"], json!({ "uri": URI, "version": 1 }));
    } else {
        assert!(add_tag["edit"]["changes"][URI].is_array());
    }
    let edits = action_edits(add_tag, URI);
    let changes = as_content_changes(&edits, &text, encoding);
    text = apply_edits(&text, &edits, encoding);
    assert!(text.contains("# @data-use"), "{text}");
    server.change(URI, 2, changes).await;
    let diagnostics = server.diagnostics_for(URI, 2).await;
    assert!(
        warnings(&diagnostics).is_empty(),
        "{diagnostics:#?}\n{text}"
    );
    // A declared flow is at most a hint.
    for d in &diagnostics {
        assert_eq!(d["severity"], 4, "{d:#?}");
    }
}

#[tokio::test]
async fn add_tag_quick_fix_clears_the_warning() {
    for (encoding, document_changes) in [("utf-16", true), ("utf-8", false)] {
        let (mut server, _) = TestServer::start(json!({
            "processId": null,
            "capabilities": capabilities(&[encoding], document_changes),
            "initializationOptions": { "debounceMs": 0 },
        }))
        .await;
        apply_add_tag(&mut server, encoding, document_changes).await;
        assert!(server.shutdown().await);
    }
}

#[tokio::test]
async fn code_actions_snapshot() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 1, CHAT).await;
    server.diagnostics_for(URI, 1).await;
    // A cursor on the call, no diagnostics in the context (as some clients send).
    let position = position_of(CHAT, "completions", 0, "utf-16");
    let actions = server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": { "start": position, "end": position },
                "context": { "diagnostics": [] },
            }),
        )
        .await;
    let summary: Vec<Value> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            json!({
                "title": a["title"],
                "kind": a["kind"],
                "isPreferred": a["isPreferred"],
                "edits": action_edits(a, URI),
            })
        })
        .collect();
    insta::assert_json_snapshot!("code_actions_on_sink", summary);
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn tag_all_source_action_declares_every_flow() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let mut text = format!(
        "{CHAT}\n\ndef summarise(ticket):\n    return client.chat.completions.create(model=\"gpt-4o\", messages=[{{\"role\": \"user\", \"content\": ticket.customer_email}}])\n"
    );
    server.open(URI, "python", 1, &text).await;
    let diagnostics = server.diagnostics_for(URI, 1).await;
    assert_eq!(warnings(&diagnostics).len(), 2, "{diagnostics:#?}");
    let actions = server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [], "only": ["source"] },
            }),
        )
        .await;
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "{actions:#?}");
    assert_eq!(actions[0]["kind"], "source.privacy-lens.tagAll");
    assert_eq!(
        actions[0]["title"],
        "Tag all AI data uses in this file (2 calls)"
    );
    let edits = action_edits(&actions[0], URI);
    let changes = as_content_changes(&edits, &text, "utf-16");
    text = apply_edits(&text, &edits, "utf-16");
    assert_eq!(text.matches("# @data-use").count(), 2, "{text}");
    server.change(URI, 2, changes).await;
    let diagnostics = server.diagnostics_for(URI, 2).await;
    assert!(warnings(&diagnostics).is_empty(), "{diagnostics:#?}");
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn stale_code_action_data_is_ignored() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 1, CHAT).await;
    let diagnostic = server.diagnostics_for(URI, 1).await[0].clone();
    // The document changes; the client still holds the old diagnostic.
    server
        .change(URI, 2, json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "# header\n" }]))
        .await;
    let moved = server.diagnostics_for(URI, 2).await[0].clone();
    let actions = server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [diagnostic], "only": ["quickfix"] },
            }),
        )
        .await;
    assert_eq!(
        actions,
        Value::Null,
        "an old version's data must not resolve"
    );
    let actions = server
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": URI },
                "range": moved["range"],
                "context": { "diagnostics": [moved] },
            }),
        )
        .await;
    let first = &actions[0];
    assert_eq!(
        first["edit"]["documentChanges"][0]["textDocument"]["version"],
        2
    );
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn close_clears_diagnostics_and_frees_the_document() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 1, CHAT).await;
    assert_eq!(server.diagnostics_for(URI, 1).await.len(), 1);
    server
        .notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": URI } }),
        )
        .await;
    let cleared = server.diagnostics(URI).await;
    assert_eq!(cleared["diagnostics"], json!([]));
    let hover = server
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": position_of(CHAT, CALL, 0, "utf-16") }),
        )
        .await;
    assert_eq!(hover, Value::Null);
    // Changes to a closed document are ignored, not fatal.
    server.change(URI, 3, json!([{ "text": "x = 1\n" }])).await;
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn settings_override_severity_and_disable_rules() {
    let (mut server, _) = TestServer::start(json!({
        "processId": null,
        "capabilities": capabilities(&["utf-16"], true),
        "initializationOptions": { "debounceMs": 0, "rules": { "severity": { "PL101": "error" } } },
    }))
    .await;
    server.open(URI, "python", 1, CHAT).await;
    let diagnostics = server.diagnostics_for(URI, 1).await;
    assert_eq!(
        diagnostics[0]["severity"], 1,
        "error by initializationOptions"
    );

    // Workspace settings (pulled on didChangeConfiguration) disable the rule.
    server.settings = json!({ "rules": { "disable": ["PL101"] } });
    server
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": null }),
        )
        .await;
    server.diagnostics_until(URI, <[Value]>::is_empty).await;
    assert!(
        server
            .server_requests
            .iter()
            .any(|r| r["method"] == "workspace/configuration")
    );

    // Invalid settings: an error message, and the last good settings stay.
    server.settings = json!({ "rules": { "severity": { "PL101": "catastrophic" } } });
    server
        .notify(
            "workspace/didChangeConfiguration",
            json!({ "settings": null }),
        )
        .await;
    let message = server.notification("window/showMessage").await;
    assert_eq!(message["type"], 1, "an error");
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("keeping the previous settings")
    );
    let hover = server
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": position_of(CHAT, CALL, 0, "utf-16") }),
        )
        .await;
    assert_eq!(hover, Value::Null, "PL101 is still disabled");
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn project_file_is_read_and_reloaded_when_it_changes() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chat.py");
    std::fs::write(&file, CHAT).unwrap();
    let config = dir.path().join("privacy-lens.toml");
    std::fs::write(&config, "[rules]\nseverity = { PL101 = \"info\" }\n").unwrap();
    let uri = format!("file://{}", file.display());
    let config_uri = format!("file://{}", config.display());

    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(&uri, "python", 1, CHAT).await;
    let diagnostics = server.diagnostics_for(&uri, 1).await;
    assert_eq!(diagnostics[0]["severity"], 3, "info from privacy-lens.toml");
    assert!(
        server
            .server_requests
            .iter()
            .any(|r| r["method"] == "client/registerCapability"),
        "configuration files are watched"
    );

    std::fs::write(&config, "[rules]\ndisable = [\"PL101\"]\n").unwrap();
    server
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": config_uri, "type": 2 }] }),
        )
        .await;
    server.diagnostics_until(&uri, <[Value]>::is_empty).await;

    // A broken file: shown as an error, the last good configuration stays.
    std::fs::write(&config, "[rules\n").unwrap();
    server
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": config_uri, "type": 2 }] }),
        )
        .await;
    let message = server.notification("window/showMessage").await;
    assert_eq!(message["type"], 1);
    assert!(
        message["message"]
            .as_str()
            .unwrap()
            .contains("privacy-lens.toml"),
        "{message}"
    );
    assert!(server.diagnostics_for(&uri, 1).await.is_empty());
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn cancelling_a_finished_request_is_harmless() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    server.open(URI, "python", 1, CHAT).await;
    server.diagnostics_for(URI, 1).await;
    server.notify("$/cancelRequest", json!({ "id": 1 })).await;
    server
        .notify("$/cancelRequest", json!({ "id": 12345 }))
        .await;
    let hover = server
        .request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": URI }, "position": position_of(CHAT, CALL, 0, "utf-16") }),
        )
        .await;
    assert_ne!(hover, Value::Null);
    assert!(server.shutdown().await);
}
