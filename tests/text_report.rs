//! Human output: code frames, notes, skipped files and the summary line.

mod common;

use privacy_lens::report::text::{self, TextOptions};

fn render(options: &TextOptions) -> String {
    let mut out = Vec::new();
    text::write(&mut out, &common::sample_result(), options)
        .expect("writing to memory cannot fail");
    String::from_utf8(out).expect("the report is UTF-8")
}

#[test]
fn text_snapshot() {
    insta::assert_snapshot!(render(&TextOptions {
        color: false,
        all_sinks: true
    }));
}

#[test]
fn no_escape_codes_without_colour() {
    assert!(!render(&TextOptions::default()).contains('\x1b'));
    let coloured = render(&TextOptions {
        color: true,
        all_sinks: false,
    });
    assert!(coloured.contains("\x1b["));
}

#[test]
fn summary_line_counts_findings_files_and_skipped() {
    let out = render(&TextOptions::default());
    assert_eq!(
        out.lines().last(),
        Some("2 findings in 2 files (2 skipped)")
    );
}
