//! The JSON findings contract (`check --format json`) is a public interface:
//! these tests pin its shape with a snapshot and the shipped JSON Schema.

mod common;

use privacy_lens::check::CheckResult;
use privacy_lens::report::json::{self, JsonOptions};
use serde_json::Value;

fn render(result: &CheckResult, options: &JsonOptions) -> Value {
    let mut out = Vec::new();
    json::write(&mut out, result, options).expect("writing to memory cannot fail");
    serde_json::from_slice(&out).expect("the report is valid JSON")
}

fn all_sinks() -> JsonOptions {
    JsonOptions { all_sinks: true }
}

#[test]
fn contract_snapshot() {
    let mut value = render(&common::sample_result(), &all_sinks());
    assert_eq!(value["tool"]["version"], env!("CARGO_PKG_VERSION"));
    value["tool"]["version"] = "[version]".into();
    insta::assert_json_snapshot!(value);
}

#[test]
fn output_validates_against_the_schema() {
    for options in [JsonOptions::default(), all_sinks()] {
        let value = render(&common::sample_result(), &options);
        common::validate(&value).unwrap();
    }
    let empty = render(&CheckResult::default(), &JsonOptions::default());
    common::validate(&empty).unwrap();
}

#[test]
fn columns_are_one_based_unicode_characters() {
    let value = render(&common::sample_result(), &JsonOptions::default());
    let finding = &value["findings"][0];
    // `    réponse = client…`: `é` is two bytes, so the byte column would be 16.
    assert_eq!(
        finding["range"]["start"],
        serde_json::json!({"line": 8, "column": 15})
    );
    // `f"Grüße, {user.name}…`: `ü` and `ß` are two bytes each.
    let name = &finding["sources"][0];
    assert_eq!(
        (name["line"].as_u64(), name["column"].as_u64()),
        (Some(6), Some(24))
    );
    // The end is exclusive: just after the closing parenthesis.
    let line = common::CHAT_PY.lines().nth(7).unwrap();
    assert_eq!(
        finding["range"]["end"]["column"].as_u64(),
        Some(line.chars().count() as u64 + 1)
    );
}

#[test]
fn findings_are_sorted_by_path_then_position() {
    let value = render(&common::sample_result(), &JsonOptions::default());
    let lines: Vec<_> = value["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["path"].as_str().unwrap(),
                f["range"]["start"]["line"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(lines, [("app/chat.py", 8), ("app/chat.py", 12)]);
    let skipped: Vec<_> = value["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, ["app/legacy.py", "data/blob.py"]);
}

#[test]
fn summary_counts_analysed_files_lines_and_findings() {
    let value = render(&common::sample_result(), &JsonOptions::default());
    let lines = common::CHAT_PY.lines().count() + 2;
    assert_eq!(
        value["summary"],
        serde_json::json!({"files": 2, "lines": lines, "findings": 2})
    );
    assert!(
        value.get("recognised_sinks").is_none(),
        "only with --all-sinks"
    );
}

#[test]
fn the_schema_rejects_contract_violations() {
    let good = render(&common::sample_result(), &JsonOptions::default());
    let mut null_sink = good.clone();
    null_sink["findings"][0]["sink"] = Value::Null;
    null_sink["findings"][0]["tag"] = Value::Null;
    common::validate(&null_sink).expect("tag findings have no sink");

    type Breakage = (&'static str, fn(&mut Value));
    let breakages: [Breakage; 6] = [
        ("zero-based column", |v| {
            v["findings"][0]["range"]["start"]["column"] = 0.into()
        }),
        ("unknown severity", |v| {
            v["findings"][0]["severity"] = "fatal".into()
        }),
        ("unknown status", |v| {
            v["findings"][0]["status"] = "ok".into()
        }),
        ("missing categories", |v| {
            v["findings"][0]
                .as_object_mut()
                .unwrap()
                .remove("categories");
        }),
        ("unknown sink kind", |v| {
            v["findings"][0]["sink"]["kind"] = "chat".into()
        }),
        ("wrong version", |v| v["version"] = 2.into()),
    ];
    for (what, break_it) in breakages {
        let mut bad = good.clone();
        break_it(&mut bad);
        assert!(common::validate(&bad).is_err(), "schema accepted {what}");
    }
}
