//! Hostile inputs: huge lines, deep nesting, millions of statements, NUL
//! bytes, line-ending mixes, BOMs, edits that split characters, positions
//! past the end. The analysis runs on 2 MiB threads (like the server's and
//! rayon's) and must neither overflow nor fail silently: a limit it hits is
//! a note, and the server shows notes as diagnostics and keeps answering.

mod lsp_support;

use std::time::Duration;

use lsp_support::{TestServer, position_at, position_of};
use privacy_lens::analysis::{AnalysisOptions, analyze};
use privacy_lens::finding::FileAnalysis;
use privacy_lens::language::Language;
use serde_json::{Value, json};

const FLOW: &str = "import openai\nclient = openai.OpenAI()\nprompt = f\"Write to {user.email}\"\nclient.chat.completions.create(model=\"gpt-4o\", messages=[{\"role\": \"user\", \"content\": prompt}])\n";
const CALL: &str = "client.chat.completions.create(";

fn on_small_stack(text: String, language: Language, options: AnalysisOptions) -> FileAnalysis {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(move || analyze(&text, language, &options))
        .expect("thread starts")
        .join()
        .expect("the analysis neither panics nor overflows its stack")
}

fn analyse(text: String, language: Language) -> FileAnalysis {
    on_small_stack(text, language, AnalysisOptions::default())
}

fn notes(analysis: &FileAnalysis) -> String {
    analysis
        .notes
        .iter()
        .map(|n| n.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

// ---------------------------------------------------------------------------
// The analysis
// ---------------------------------------------------------------------------

#[test]
fn a_hundred_thousand_nested_brackets() {
    let depth = 100_000;
    for (open, close) in [("[", "]"), ("(", ")"), ("{", "}")] {
        let python = format!(
            "{FLOW}x = {}user.email{}\n",
            open.repeat(depth),
            close.repeat(depth)
        );
        let analysis = analyse(python, Language::Python);
        assert_eq!(analysis.findings.len(), 1, "{open}: {}", notes(&analysis));
        let js = format!(
            "const x = {}1{};\n",
            open.repeat(depth),
            close.repeat(depth)
        );
        analyse(js, Language::JavaScript);
    }
    // Unbalanced: only opening brackets, then the flow.
    let python = format!("x = {}\n{FLOW}", "([{".repeat(depth / 3));
    analyse(python, Language::Python);
    let ts = format!("let x = {}\n", "<T>(".repeat(depth / 4));
    analyse(ts, Language::TypeScript);
}

#[test]
fn deeply_nested_expressions_and_functions() {
    let depth = 20_000;
    // Nested calls: cut off with a note, never a crash.
    let calls = format!(
        "{FLOW}y = {}user.email{}\nclient.chat.completions.create(messages=y)\n",
        "f(".repeat(depth),
        ")".repeat(depth)
    );
    let analysis = analyse(calls, Language::Python);
    assert!(
        notes(&analysis).contains("nested deeper"),
        "{}",
        notes(&analysis)
    );
    // Nested binary operators and attribute chains.
    let ops = format!("{FLOW}z = {}user.email\n", "a + ".repeat(depth));
    analyse(ops, Language::Python);
    let attrs = format!("{FLOW}z = user{}\n", ".a".repeat(depth));
    analyse(attrs, Language::Python);
    // Nested functions and arrow functions.
    let js = format!(
        "{}return user.email;{}\n",
        "function f(user) {\n".repeat(depth / 4),
        "}\n".repeat(depth / 4)
    );
    analyse(js, Language::JavaScript);
    let arrows = format!("const f = {}user.email;\n", "(user) => ".repeat(depth));
    analyse(arrows, Language::TypeScript);
    let lambdas = format!("f = {}user.email\n", "lambda user: ".repeat(depth));
    analyse(lambdas, Language::Python);
    // Python nesting by indentation (one space per level).
    let mut nested = String::new();
    for level in 0..2_000 {
        nested.push_str(&" ".repeat(level));
        nested.push_str("def f(user):\n");
    }
    nested.push_str(&" ".repeat(2_000));
    nested.push_str("return user.email\n");
    analyse(nested, Language::Python);
}

#[test]
fn a_million_tiny_statements() {
    let python = format!("{FLOW}{}", "a=1\n".repeat(1_000_000));
    let analysis = analyse(python, Language::Python);
    assert_eq!(analysis.findings.len(), 1, "{}", notes(&analysis));
    let js = ";".repeat(2_000_000);
    analyse(js, Language::JavaScript);
}

#[test]
fn a_long_minified_line() {
    // 2 MB of JavaScript on one line, with the flow at its end.
    let statement = "var a=b.c(d,[1,2,3],{e:f});";
    let js = format!(
        "{}const OpenAI=require('openai');const client=new OpenAI();client.chat.completions.create({{messages:[{{role:'user',content:user.email}}]}});",
        statement.repeat(2_000_000 / statement.len())
    );
    assert!(!js.contains('\n'));
    let analysis = analyse(js, Language::JavaScript);
    assert_eq!(analysis.findings.len(), 1, "{}", notes(&analysis));
}

#[test]
fn the_time_limit_is_a_note_not_a_silent_cut() {
    let text = format!("{FLOW}{}", "x = y + z\n".repeat(20_000));
    let options = AnalysisOptions {
        time_limit: Duration::ZERO,
        ..AnalysisOptions::default()
    };
    let analysis = on_small_stack(text, Language::Python, options);
    assert!(
        notes(&analysis).contains("time limit"),
        "{}",
        notes(&analysis)
    );
}

#[test]
fn nul_bytes_control_characters_and_replacement_characters() {
    let text = format!("x = \"a\0b\"\n\0\0\n\u{1}\u{7f}\u{fffd}\n{FLOW}\0");
    let analysis = analyse(text, Language::Python);
    assert_eq!(analysis.findings.len(), 1, "{}", notes(&analysis));
    // Invalid UTF-8, decoded the way an editor would.
    let bytes: Vec<u8> = [
        &[0xff, 0xfe, 0xc0, 0x80][..],
        FLOW.as_bytes(),
        &[0xed, 0xa0, 0x80],
    ]
    .concat();
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let analysis = analyse(text, Language::Python);
    assert_eq!(analysis.findings.len(), 1, "{}", notes(&analysis));
}

/// The same code with LF, CRLF, lone CR (Python accepts it), mixed endings
/// and a byte-order mark gives the same findings, on the same lines.
#[test]
fn line_endings_and_byte_order_marks() {
    let lf = analyse(FLOW.to_string(), Language::Python);
    assert_eq!(lf.findings.len(), 1);
    let row = lf.findings[0].span.start.row;
    let variants = [
        FLOW.replace('\n', "\r\n"),
        FLOW.replacen('\n', "\r\n", 2),
        format!("\u{feff}{FLOW}"),
        format!("\u{feff}{}", FLOW.replace('\n', "\r\n")),
    ];
    for text in variants {
        let analysis = analyse(text.clone(), Language::Python);
        assert_eq!(analysis.findings.len(), 1, "{text:?}: {}", notes(&analysis));
        assert_eq!(analysis.findings[0].span.start.row, row, "{text:?}");
        assert_eq!(analysis.findings[0].categories, lf.findings[0].categories);
    }
    let js = "const OpenAI = require('openai');\r\nconst client = new OpenAI();\rclient.chat.completions.create({ messages: [{ role: 'user', content: user.email }] });\n";
    for text in [js.to_string(), format!("\u{feff}{js}")] {
        let analysis = analyse(text, Language::JavaScript);
        assert_eq!(analysis.findings.len(), 1, "{}", notes(&analysis));
    }
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

fn hover_params(uri: &str, position: Value) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": position })
}

fn note_diagnostics(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .filter(|d| d["severity"] == 3 && d.get("code").is_none_or(Value::is_null))
        .filter_map(|d| d["message"].as_str().map(str::to_owned))
        .collect()
}

/// The server answers correctly for a normal document.
async fn still_serving(server: &mut TestServer) {
    let uri = "file:///virtual/project/normal.py";
    server.open(uri, "python", 1, FLOW).await;
    let diagnostics = server.diagnostics_for(uri, 1).await;
    assert_eq!(diagnostics.iter().filter(|d| d["severity"] == 2).count(), 1);
    let hover = server
        .request(
            "textDocument/hover",
            hover_params(uri, position_of(FLOW, CALL, 0, "utf-16")),
        )
        .await;
    assert!(hover["contents"].is_object(), "{hover}");
    server
        .notify(
            "textDocument/didClose",
            json!({ "textDocument": { "uri": uri } }),
        )
        .await;
}

#[tokio::test]
async fn a_ten_megabyte_line_is_skipped_with_a_visible_note() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let uri = "file:///virtual/project/minified.js";
    let text = format!("{};", "a".repeat(10 * 1024 * 1024));
    server.open(uri, "javascript", 1, &text).await;
    let diagnostics = server.diagnostics_for(uri, 1).await;
    let notes = note_diagnostics(&diagnostics);
    assert!(
        notes
            .iter()
            .any(|n| n.contains("not analysed") && n.contains("limit")),
        "{diagnostics:#?}"
    );
    // Positions on the huge line still convert, hovers answer.
    let hover = server
        .request_raw(
            "textDocument/hover",
            hover_params(uri, json!({ "line": 0, "character": 9_000_000 })),
        )
        .await;
    assert!(hover.get("error").is_none(), "{hover}");
    still_serving(&mut server).await;
    // Shrinking it under the limit analyses it again.
    server
        .change(uri, 2, json!([{ "text": "const x = 1;\n" }]))
        .await;
    let diagnostics = server.diagnostics_for(uri, 2).await;
    assert!(
        note_diagnostics(&diagnostics).is_empty(),
        "{diagnostics:#?}"
    );
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn deep_nesting_in_the_editor_is_a_visible_note() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let uri = "file:///virtual/project/deep.py";
    let text = format!(
        "{FLOW}y = {}user.email{}\n",
        "f(".repeat(100_000),
        ")".repeat(100_000)
    );
    server.open(uri, "python", 1, &text).await;
    let diagnostics = server.diagnostics_for(uri, 1).await;
    let notes = note_diagnostics(&diagnostics);
    assert!(
        notes.iter().any(|n| n.contains("nested deeper")),
        "{diagnostics:#?}"
    );
    assert_eq!(diagnostics.iter().filter(|d| d["severity"] == 2).count(), 1);
    still_serving(&mut server).await;
    assert!(server.shutdown().await);
}

/// UTF-16 edits whose ends fall inside a surrogate pair, between `\r` and
/// `\n`, or past the end of the text: clamped like the protocol says, the
/// text stays valid, and diagnostics land where the client expects them.
#[tokio::test]
async fn edits_that_split_characters_or_overshoot() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let uri = "file:///virtual/project/split.py";
    let text = format!("note = \"😀😀\"\r\n{FLOW}");
    server.open(uri, "python", 1, &text).await;
    server.diagnostics_for(uri, 1).await;
    // Delete "half" of the first emoji (UTF-16 units 9..10): both ends
    // clamp to the emoji's start, so this is an empty range: an insertion.
    server
        .change(
            uri,
            2,
            json!([{ "range": { "start": { "line": 0, "character": 9 }, "end": { "line": 0, "character": 10 } }, "text": "é" }]),
        )
        .await;
    let expected = format!("note = \"é😀😀\"\r\n{FLOW}");
    // Between `\r` and `\n` (character 99 on line 0 is its end), and far past the end.
    server
        .change(
            uri,
            3,
            json!([
                { "range": { "start": { "line": 0, "character": 99 }, "end": { "line": 0, "character": 99 } }, "text": " # ok" },
                { "range": { "start": { "line": 999, "character": 5 }, "end": { "line": 4000, "character": 0 } }, "text": "# end\n" },
            ]),
        )
        .await;
    let expected = expected.replacen("\r\n", " # ok\r\n", 1) + "# end\n";
    let diagnostics = server.diagnostics_for(uri, 3).await;
    let warning = diagnostics
        .iter()
        .find(|d| d["severity"] == 2)
        .expect("the flow is still found");
    let call = expected.find(CALL).unwrap();
    assert_eq!(
        warning["range"]["start"],
        position_at(&expected, call, "utf-16")
    );
    // The clamping was logged, not silent.
    let mut logged = false;
    for message in server.drain(Duration::from_millis(200)).await {
        if message["method"] == "window/logMessage"
            && message["params"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("clamped"))
        {
            logged = true;
        }
    }
    assert!(logged, "the clamped edit was reported");
    assert!(server.shutdown().await);
}

#[tokio::test]
async fn requests_at_positions_past_the_end() {
    let mut server = TestServer::with_encodings(&["utf-16"]).await;
    let uri = "file:///virtual/project/chat.py";
    server.open(uri, "python", 1, FLOW).await;
    server.diagnostics_for(uri, 1).await;
    for position in [
        json!({ "line": 4, "character": 0 }),
        json!({ "line": 3, "character": 100_000 }),
        json!({ "line": u32::MAX, "character": u32::MAX }),
    ] {
        let hover = server
            .request_raw("textDocument/hover", hover_params(uri, position.clone()))
            .await;
        assert!(hover.get("error").is_none(), "{hover}");
        let actions = server
            .request_raw(
                "textDocument/codeAction",
                json!({
                    "textDocument": { "uri": uri },
                    "range": { "start": { "line": 0, "character": 0 }, "end": position },
                    "context": { "diagnostics": [] },
                }),
            )
            .await;
        assert!(actions.get("error").is_none(), "{actions}");
    }
    // An inverted range is accepted too.
    let actions = server
        .request_raw(
            "textDocument/codeAction",
            json!({
                "textDocument": { "uri": uri },
                "range": { "start": { "line": 3, "character": 5 }, "end": { "line": 0, "character": 0 } },
                "context": { "diagnostics": [{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "message": "x", "data": { "version": 1, "index": 99 } }] },
            }),
        )
        .await;
    assert!(actions.get("error").is_none(), "{actions}");
    still_serving(&mut server).await;
    assert!(server.shutdown().await);
}

/// Opening hostile documents one after the other never stops the server.
#[tokio::test]
async fn the_server_survives_a_parade_of_hostile_documents() {
    let mut server = TestServer::with_encodings(&["utf-8", "utf-16"]).await;
    let documents: Vec<(&str, String)> = vec![
        ("python", format!("{}\n", "(".repeat(100_000))),
        ("javascript", format!("{}\n", "{".repeat(100_000))),
        ("typescript", "\0".repeat(100_000)),
        ("typescriptreact", format!("<a>{}", "<b>".repeat(30_000))),
        (
            "python",
            format!("\u{feff}{}", "\r\n\r\r\n\n".repeat(50_000)),
        ),
        ("python", "😀".repeat(500_000)),
        ("javascript", format!("`${{{}`", "`${".repeat(30_000))),
        ("python", format!("x = \"\"\"{}", "\\".repeat(200_000))),
    ];
    for (i, (language, text)) in documents.iter().enumerate() {
        let uri = format!("file:///virtual/project/hostile{i}.{language}");
        server.open(&uri, language, 1, text).await;
        server.diagnostics_for(&uri, 1).await;
        let hover = server
            .request_raw(
                "textDocument/hover",
                hover_params(&uri, json!({ "line": 0, "character": 3 })),
            )
            .await;
        assert!(hover.get("error").is_none(), "{language} #{i}: {hover}");
        server
            .notify(
                "textDocument/didClose",
                json!({ "textDocument": { "uri": uri } }),
            )
            .await;
    }
    still_serving(&mut server).await;
    assert!(server.shutdown().await);
}

/// `check` on a directory with a 10 MB one-line file: the file is listed
/// as skipped (with the limit), the rest is analysed as usual.
#[test]
fn check_lists_a_ten_megabyte_file_as_skipped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bundle.min.js"),
        format!("var a={};", "1+".repeat(5 * 1024 * 1024)),
    )
    .unwrap();
    std::fs::write(dir.path().join("chat.py"), FLOW).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_privacy-lens"))
        .args(["check", "--no-progress"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("PL101"), "{stdout}");
    assert!(
        stdout.contains("bundle.min.js: skipped") && stdout.contains("limit"),
        "{stdout}"
    );
}

/// Found by fuzzing (`analyze_python`): a broken import binds an empty
/// name, and looking it up in the import's text looped forever.
#[test]
fn a_broken_import_binding_an_empty_name_does_not_hang() {
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for text in [
            "import, \"tenure_mo logging\n",
            "from x import (, \"a b\")\n",
        ] {
            analyse(format!("{text}{FLOW}"), Language::Python);
        }
        let _ = done.send(());
    });
    finished
        .recv_timeout(Duration::from_secs(120))
        .expect("the analysis finishes (hang detection)");
}
