//! The workspace index in the language server: background indexing with
//! progress, flows from closed files into open ones, and diagnostics that
//! follow edits in other files (open documents and files changed on disk).

mod lsp_support;

use std::path::Path;

use lsp_support::{TestServer, capabilities, position_of};
use serde_json::{Value, json};

const HELPER: &str = r#"from openai import OpenAI

client = OpenAI()


def ask(question: str) -> str:
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": question}],
    )
    return reply.choices[0].message.content
"#;

const CALLER: &str = r#"from helpers import ask


def welcome(user):
    return ask(f"Write a welcome mail to {user.email}")
"#;

const PROMPTS_CLEAN: &str = r#"def build_prompt(user):
    return "Write a short welcome."
"#;

const PROMPTS_PERSONAL: &str = r#"def build_prompt(user):
    return f"Write a short welcome to {user.phone_number}."
"#;

const SENDER: &str = r#"from openai import OpenAI

from prompts import build_prompt

client = OpenAI()


def send(user):
    return client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": build_prompt(user)}],
    )
"#;

fn uri_of(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    uri_of(&path)
}

/// Starts a server on `root` that shows progress, and waits until its index is built.
async fn indexed_server(root: &Path) -> TestServer {
    let mut caps = capabilities(&["utf-16"], true);
    caps["window"] = json!({ "workDoneProgress": true });
    let (mut server, _) = TestServer::start(json!({
        "processId": null,
        "rootUri": uri_of(root),
        "capabilities": caps,
        "initializationOptions": { "debounceMs": 0 },
    }))
    .await;
    server.notification("privacy-lens/indexReady").await;
    server
}

fn flow_warnings(diagnostics: &[Value]) -> Vec<&Value> {
    diagnostics
        .iter()
        .filter(|d| d["code"] == "PL101" && d["severity"].as_i64().is_some_and(|s| s <= 2))
        .collect()
}

#[tokio::test]
async fn indexing_reports_progress_and_places_flows_from_closed_files() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let helper_uri = write(&root, "helpers.py", HELPER);
    write(&root, "app.py", CALLER);
    let mut server = indexed_server(&root).await;

    // Progress: created by the server, then begin … end.
    assert!(
        server
            .server_requests
            .iter()
            .any(|r| r["method"] == "window/workDoneProgress/create"),
        "no progress token was created: {:?}",
        server.server_requests
    );
    let mut kinds = Vec::new();
    while kinds.last() != Some(&"end".to_string()) {
        let progress = server.notification("$/progress").await;
        assert_eq!(progress["token"], "privacy-lens/index");
        kinds.push(progress["value"]["kind"].as_str().unwrap().to_string());
    }
    assert_eq!(kinds.first().map(String::as_str), Some("begin"));

    // Only the helper is open: the flow from the closed caller shows in it.
    server.open(&helper_uri, "python", 1, HELPER).await;
    let diagnostics = server
        .diagnostics_until(&helper_uri, |d| !flow_warnings(d).is_empty())
        .await;
    let warning = flow_warnings(&diagnostics)[0].clone();
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("user.contact.email"),
        "{warning}"
    );
    assert_eq!(warning["range"]["start"]["line"], 6, "at the SDK call");
    let related = warning["relatedInformation"].as_array().unwrap();
    assert!(
        related
            .iter()
            .any(|r| r["location"]["uri"].as_str().unwrap().ends_with("/app.py")),
        "the path names the caller's file: {related:?}"
    );

    // The hover on the call names the file the data comes from.
    let hover = server
        .request(
            "textDocument/hover",
            json!({
                "textDocument": { "uri": helper_uri },
                "position": position_of(HELPER, "completions.create", 0, "utf-16"),
            }),
        )
        .await;
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("app.py:5"), "{text}");
    assert!(text.contains("user.email"), "{text}");
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn editing_a_helper_updates_the_diagnostics_of_its_callers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let prompts_uri = write(&root, "prompts.py", PROMPTS_CLEAN);
    let sender_uri = write(&root, "sender.py", SENDER);
    let mut server = indexed_server(&root).await;
    server.open(&prompts_uri, "python", 1, PROMPTS_CLEAN).await;
    server.open(&sender_uri, "python", 1, SENDER).await;
    let before = server.diagnostics_for(&sender_uri, 1).await;
    assert!(flow_warnings(&before).is_empty(), "{before:?}");

    // The helper starts returning a phone number: the caller's call is flagged.
    server
        .change(&prompts_uri, 2, json!([{ "text": PROMPTS_PERSONAL }]))
        .await;
    let after = server
        .diagnostics_until(&sender_uri, |d| !flow_warnings(d).is_empty())
        .await;
    let warning = flow_warnings(&after)[0];
    assert!(
        warning["message"]
            .as_str()
            .unwrap()
            .contains("user.contact.phone_number"),
        "{warning}"
    );

    // And back: the finding goes away again.
    server
        .change(&prompts_uri, 3, json!([{ "text": PROMPTS_CLEAN }]))
        .await;
    server
        .diagnostics_until(&sender_uri, |d| flow_warnings(d).is_empty())
        .await;
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn a_caller_changed_on_disk_updates_the_open_helper() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let helper_uri = write(&root, "helpers.py", HELPER);
    let mut server = indexed_server(&root).await;
    server.open(&helper_uri, "python", 1, HELPER).await;
    let before = server.diagnostics_for(&helper_uri, 1).await;
    assert!(flow_warnings(&before).is_empty(), "{before:?}");

    // A new caller appears on disk (a `git pull`, another editor).
    let caller_uri = write(&root, "app.py", CALLER);
    server
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": caller_uri, "type": 1 }] }),
        )
        .await;
    let after = server
        .diagnostics_until(&helper_uri, |d| !flow_warnings(d).is_empty())
        .await;
    assert!(
        flow_warnings(&after)[0]["message"]
            .as_str()
            .unwrap()
            .contains("user.contact.email")
    );

    // It is deleted again: the finding goes.
    std::fs::remove_file(root.join("app.py")).unwrap();
    server
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": caller_uri, "type": 3 }] }),
        )
        .await;
    server
        .diagnostics_until(&helper_uri, |d| flow_warnings(d).is_empty())
        .await;
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn deleting_an_imported_module_updates_its_importers() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let prompts_uri = write(&root, "prompts.py", PROMPTS_PERSONAL);
    let sender_uri = write(&root, "sender.py", SENDER);
    let mut server = indexed_server(&root).await;
    server.open(&sender_uri, "python", 1, SENDER).await;
    server
        .diagnostics_until(&sender_uri, |d| !flow_warnings(d).is_empty())
        .await;

    // The helper goes away: the importer no longer gets a phone number from it.
    std::fs::remove_file(root.join("prompts.py")).unwrap();
    server
        .notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": prompts_uri, "type": 3 }] }),
        )
        .await;
    server
        .diagnostics_until(&sender_uri, |d| flow_warnings(d).is_empty())
        .await;
    assert!(server.shutdown().await);
}
