//! Human output in the style of rustc and ruff:
//!
//! ```text
//! app.py:4:5: warning[PL101] Personal data is sent to a hosted LLM
//!   |
//! 4 |     client.chat.completions.create(model="m", messages=msgs)
//!   |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^
//!   = categories: user.contact.email
//!   = flow: app.py:3 user.email → app.py:4 client.chat.completions.create(…)
//!   = status: undeclared
//! ```

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use unicode_width::UnicodeWidthChar;

use super::{Position, line_start, path_string, position, recognised_sinks, text_for};
use crate::check::{CheckResult, CheckedFile};
use crate::finding::{DataUseTag, Finding, Severity, Span};

/// Frames longer than this many lines show their start and end only.
const MAX_FRAME_LINES: usize = 8;
/// Lines wider than this many columns are cut with `…`.
const MAX_LINE_WIDTH: usize = 160;

#[derive(Debug, Clone, Copy, Default)]
pub struct TextOptions {
    /// Emit ANSI colour codes.
    pub color: bool,
    /// Add a section listing the AI calls that receive no personal data.
    pub all_sinks: bool,
}

/// The styles in use; all plain when colour is off.
#[derive(Debug, Clone, Copy)]
struct Styles {
    error: Style,
    warning: Style,
    info: Style,
    hint: Style,
    gutter: Style,
    bold: Style,
    dim: Style,
}

impl Styles {
    fn new(color: bool) -> Styles {
        if !color {
            let plain = Style::new();
            return Styles {
                error: plain,
                warning: plain,
                info: plain,
                hint: plain,
                gutter: plain,
                bold: plain,
                dim: plain,
            };
        }
        let fg = |c: AnsiColor| Style::new().fg_color(Some(c.into())).bold();
        Styles {
            error: fg(AnsiColor::Red),
            warning: fg(AnsiColor::Yellow),
            info: fg(AnsiColor::Cyan),
            hint: fg(AnsiColor::Green),
            gutter: fg(AnsiColor::Blue),
            bold: Style::new().bold(),
            dim: Style::new().dimmed(),
        }
    }

    fn severity(&self, severity: Severity) -> Style {
        match severity {
            Severity::Error => self.error,
            Severity::Warning => self.warning,
            Severity::Info => self.info,
            Severity::Hint => self.hint,
        }
    }
}

/// Writes the whole report: findings with code frames, notes, skipped files,
/// optionally the AI calls without personal data, and a summary line.
pub fn write(out: &mut dyn Write, result: &CheckResult, options: &TextOptions) -> io::Result<()> {
    let styles = Styles::new(options.color);
    for (file, finding) in result.findings() {
        write_finding_styled(out, result, file, finding, &styles)?;
        writeln!(out)?;
    }

    let bold = styles.bold;
    let dim = styles.dim;
    let mut wrote_extra = false;
    for file in &result.files {
        for note in &file.analysis.notes {
            let path = path_string(&file.path);
            writeln!(
                out,
                "{bold}{path}:{bold:#} {dim}note:{dim:#} {}",
                note.message
            )?;
            wrote_extra = true;
        }
    }
    for skipped in &result.skipped {
        let path = path_string(&skipped.path);
        let warn = styles.warning;
        writeln!(
            out,
            "{bold}{path}:{bold:#} {warn}skipped:{warn:#} {}",
            skipped.reason
        )?;
        wrote_extra = true;
    }
    if wrote_extra {
        writeln!(out)?;
    }

    if options.all_sinks {
        write_sinks(out, result, &styles)?;
    }

    let findings = result.finding_count();
    let files = result.totals.files;
    write!(
        out,
        "{bold}{findings} {} in {files} {}{bold:#}",
        plural(findings, "finding", "findings"),
        plural(files, "file", "files"),
    )?;
    if !result.skipped.is_empty() {
        write!(out, " ({} skipped)", result.skipped.len())?;
    }
    writeln!(out)
}

/// Writes one finding: the header line, the code frame and the `=` notes.
pub fn write_finding(
    out: &mut dyn Write,
    result: &CheckResult,
    file: &CheckedFile,
    finding: &Finding,
    options: &TextOptions,
) -> io::Result<()> {
    write_finding_styled(out, result, file, finding, &Styles::new(options.color))
}

fn write_finding_styled(
    out: &mut dyn Write,
    result: &CheckResult,
    file: &CheckedFile,
    finding: &Finding,
    styles: &Styles,
) -> io::Result<()> {
    let text = file.text.as_deref();
    let Position { line, column } = position(text, finding.span.start_byte, finding.span.start);
    let path = path_string(&file.path);
    let (bold, sev) = (styles.bold, styles.severity(finding.severity));
    writeln!(
        out,
        "{bold}{path}:{line}:{column}:{bold:#} {sev}{}[{}]{sev:#} {}",
        finding.severity.as_str(),
        finding.code,
        finding.message,
    )?;

    let lines = text.map(|text| covered_lines(text, &finding.span));
    let last_line = match lines.as_deref() {
        Some([.., (number, _, _)]) => *number,
        _ => finding.span.end.row.max(finding.span.start.row) + 1,
    };
    let pad = " ".repeat(digits(last_line));
    if let (Some(text), Some(lines)) = (text, &lines) {
        write_frame(out, text, lines, &finding.span, sev, styles, &pad)?;
    }

    let gutter = styles.gutter;
    let mut note = |label: &str, value: &str| -> io::Result<()> {
        writeln!(
            out,
            "{pad} {gutter}={gutter:#} {bold}{label}{bold:#}: {value}"
        )
    };
    if !finding.categories.is_empty() {
        note("categories", &finding.categories.join(", "))?;
    }
    if !finding.flow.is_empty() {
        let steps = super::flow_steps(&file.path, finding);
        note("flow", &steps.join(" → "))?;
    } else if !finding.sources.is_empty() {
        let sources: Vec<String> = finding
            .sources
            .iter()
            .map(|source| {
                let source_text = text_for(result, file, source.file.as_deref());
                let at = position(source_text, source.span.start_byte, source.span.start);
                let source_path = source.file.as_deref().unwrap_or(&file.path);
                format!(
                    "{}:{}:{} {} ({})",
                    path_string(source_path),
                    at.line,
                    at.column,
                    source.evidence,
                    source.category
                )
            })
            .collect();
        note("sources", &sources.join(", "))?;
    }
    if let Some(tag) = &finding.tag {
        note("tag", &tag_text(tag))?;
    }
    if finding.sink.is_some() {
        note("status", finding.status.as_str())?;
    }
    Ok(())
}

fn write_sinks(out: &mut dyn Write, result: &CheckResult, styles: &Styles) -> io::Result<()> {
    let rows: Vec<String> = recognised_sinks(result)
        .filter(|(_, _, personal_data)| !personal_data)
        .map(|(file, rs, _)| {
            let at = position(file.text.as_deref(), rs.span.start_byte, rs.span.start);
            format!(
                "  {}:{}:{}: {} {} ({})",
                path_string(&file.path),
                at.line,
                at.column,
                rs.sink.kind.as_str(),
                rs.sink.api,
                rs.sink.provider
            )
        })
        .collect();
    let bold = styles.bold;
    if rows.is_empty() {
        writeln!(out, "{bold}AI calls without personal data:{bold:#} none")?;
        return writeln!(out);
    }
    writeln!(
        out,
        "{bold}AI calls without personal data ({}):{bold:#}",
        rows.len()
    )?;
    for row in rows {
        writeln!(out, "{row}")?;
    }
    writeln!(out)
}

/// A tag as it would be written in code: `@data-use essential.service data=…`.
pub fn tag_text(tag: &DataUseTag) -> String {
    let mut text = format!("@data-use {}", tag.data_use);
    if !tag.data.is_empty() {
        text.push_str(&format!(" data={}", tag.data.join(",")));
    }
    if let Some(subject) = &tag.subject {
        text.push_str(&format!(" subject={subject}"));
    }
    if let Some(basis) = &tag.basis {
        text.push_str(&format!(" basis={basis}"));
    }
    if !tag.safeguards.is_empty() {
        text.push_str(&format!(" safeguards={}", tag.safeguards.join(",")));
    }
    if let Some(retention) = &tag.retention {
        text.push_str(&format!(" retention={retention}"));
    }
    if let Some(reference) = &tag.reference {
        text.push_str(&format!(" ref={reference}"));
    }
    text
}

/// One source line as displayed: tabs expanded, control characters blanked,
/// cut to [`MAX_LINE_WIDTH`], with the display column of each character.
struct ShownLine {
    text: String,
    /// (byte offset in the line, display column) of each shown character.
    cols: Vec<(usize, usize)>,
    width: usize,
}

impl ShownLine {
    fn new(content: &str, from: usize) -> ShownLine {
        let mut shown = ShownLine {
            text: String::new(),
            cols: Vec::new(),
            width: 0,
        };
        if from > 0 {
            shown.text.push('…');
            shown.width = 1;
        }
        for (i, c) in content.char_indices().skip_while(|(i, _)| *i < from) {
            shown.cols.push((i, shown.width));
            if shown.width >= MAX_LINE_WIDTH {
                shown.text.push('…');
                shown.width += 1;
                return shown;
            }
            match c {
                '\t' => {
                    shown.text.push_str("    ");
                    shown.width += 4;
                }
                c if c.is_control() => {
                    shown.text.push(' ');
                    shown.width += 1;
                }
                c => {
                    shown.text.push(c);
                    shown.width += c.width().unwrap_or(0);
                }
            }
        }
        shown.cols.push((content.len(), shown.width));
        shown
    }

    /// Display column of byte offset `byte` of the line.
    fn col(&self, byte: usize) -> usize {
        self.cols
            .iter()
            .find(|(b, _)| *b >= byte)
            .map_or(self.width, |(_, c)| *c)
    }
}

/// Lines of `text` covered by `span`: (line number, byte offset of the line
/// start, line content without its line ending).
fn covered_lines<'t>(text: &'t str, span: &Span) -> Vec<(usize, usize, &'t str)> {
    let bytes = text.as_bytes();
    let start = floor_char_boundary(text, span.start_byte);
    let end = floor_char_boundary(text, span.end_byte).max(start);
    // A span ending at the start of a line does not cover that line.
    let last = if end > start && line_start(bytes, end) == end {
        end - 1
    } else {
        end
    };
    let mut lines = Vec::new();
    let mut offset = line_start(bytes, start);
    let mut number = span.start.row + 1;
    loop {
        let rest = &text[offset..];
        let content = rest.split('\n').next().unwrap_or("");
        lines.push((
            number,
            offset,
            content.strip_suffix('\r').unwrap_or(content),
        ));
        let next = offset + content.len() + 1;
        if next > last || next > text.len() {
            break;
        }
        offset = next;
        number += 1;
    }
    lines
}

fn write_frame(
    out: &mut dyn Write,
    text: &str,
    lines: &[(usize, usize, &str)],
    span: &Span,
    sev: Style,
    styles: &Styles,
    pad: &str,
) -> io::Result<()> {
    let gutter = styles.gutter;
    let start = floor_char_boundary(text, span.start_byte);
    let end = floor_char_boundary(text, span.end_byte).max(start);
    let width = pad.len();
    writeln!(out, "{pad} {gutter}|{gutter:#}")?;

    if let [(number, offset, content)] = lines {
        let s = (start - offset).min(content.len());
        let e = (end - offset).min(content.len());
        // Long lines start a little before the span.
        let from = if content[..s].chars().count() > MAX_LINE_WIDTH / 2 {
            content[..s]
                .char_indices()
                .rev()
                .nth(19)
                .map_or(0, |(i, _)| i)
        } else {
            0
        };
        let shown = ShownLine::new(content, from);
        let (cs, ce) = (shown.col(s), shown.col(e));
        let carets = "^".repeat(ce.saturating_sub(cs).max(1));
        writeln!(
            out,
            "{gutter}{number:>width$} |{gutter:#} {}",
            shown.text.trim_end()
        )?;
        writeln!(
            out,
            "{pad} {gutter}|{gutter:#} {}{sev}{carets}{sev:#}",
            " ".repeat(cs)
        )?;
        return Ok(());
    }

    let count = lines.len();
    for (index, (number, offset, content)) in lines.iter().enumerate() {
        if count > MAX_FRAME_LINES && index >= 4 && index < count - 3 {
            if index == 4 {
                writeln!(out, "{gutter}{:>width$} |{gutter:#} {sev}|{sev:#}", "…")?;
            }
            continue;
        }
        let shown = ShownLine::new(content, 0);
        let line_text = shown.text.trim_end();
        if index == 0 {
            let cs = shown.col(start - offset);
            writeln!(out, "{gutter}{number:>width$} |{gutter:#}   {line_text}")?;
            writeln!(
                out,
                "{pad} {gutter}|{gutter:#}  {sev}{}^{sev:#}",
                "_".repeat(cs + 1)
            )?;
        } else {
            writeln!(
                out,
                "{gutter}{number:>width$} |{gutter:#} {sev}|{sev:#} {line_text}"
            )?;
            if index == count - 1 {
                let ce = shown.col((end - offset).min(content.len()));
                writeln!(
                    out,
                    "{pad} {gutter}|{gutter:#} {sev}|{}^{sev:#}",
                    "_".repeat(ce.saturating_sub(1) + 1)
                )?;
            }
        }
    }
    Ok(())
}

fn floor_char_boundary(text: &str, byte: usize) -> usize {
    let mut byte = byte.min(text.len());
    while !text.is_char_boundary(byte) {
        byte -= 1;
    }
    byte
}

fn digits(n: usize) -> usize {
    n.max(1).ilog10() as usize + 1
}

fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::CheckedFile;
    use crate::finding::{FileAnalysis, Point, Status};
    use crate::language::Language;

    fn finding(span: Span) -> Finding {
        Finding {
            code: "PL101",
            rule: "personal-data-to-llm",
            severity: Severity::Warning,
            message: "m".into(),
            span,
            sink: None,
            categories: vec![],
            sources: vec![],
            flow: vec![],
            tag: None,
            status: Status::Undeclared,
            fixes: Vec::new(),
        }
    }

    fn render(text: &str, span: Span) -> String {
        let analysis = FileAnalysis {
            findings: vec![finding(span)],
            ..FileAnalysis::default()
        };
        let file = CheckedFile::new("a.py", Language::Python, text, analysis);
        let result = CheckResult::from_files(vec![file], vec![]);
        let mut out = Vec::new();
        write(&mut out, &result, &TextOptions::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn span(
        start_byte: usize,
        end_byte: usize,
        start: (usize, usize),
        end: (usize, usize),
    ) -> Span {
        Span {
            start_byte,
            end_byte,
            start: Point {
                row: start.0,
                column: start.1,
            },
            end: Point {
                row: end.0,
                column: end.1,
            },
        }
    }

    #[test]
    fn carets_align_with_wide_characters_tabs_and_crlf() {
        let text = "x = 1\r\n\tnom = f(\"日本\", y)\r\n";
        let start = text.find('f').unwrap();
        let end = text.find(')').unwrap() + 1;
        let out = render(text, span(start, end, (1, start - 7), (1, end - 7)));
        assert!(out.contains("a.py:2:8: warning[PL101] m"), "{out}");
        assert!(out.contains("2 |     nom = f(\"日本\", y)\n"), "{out}");
        assert!(out.contains("\n  |           ^^^^^^^^^^^^\n"), "{out}");
    }

    #[test]
    fn inconsistent_spans_never_panic() {
        let text = "é = 1\nb = é\n";
        for (s, e) in [
            (0, 1000),
            (1, 2),
            (1000, 2000),
            (5, 3),
            (0, 0),
            (text.len(), text.len()),
        ] {
            let _ = render(text, span(s, e, (0, s), (7, e)));
        }
        let _ = render("", span(0, 0, (0, 0), (0, 0)));
    }

    #[test]
    fn long_lines_are_cut_around_the_span() {
        let text = format!("{}call(x){}\n", "a".repeat(500), "b".repeat(500));
        let start = 500;
        let out = render(&text, span(start, start + 7, (0, start), (0, start + 7)));
        let code_line = out.lines().find(|l| l.starts_with("1 |")).unwrap();
        assert!(code_line.contains("…aaaa"), "{code_line}");
        assert!(code_line.ends_with('…'), "{code_line}");
        assert!(code_line.chars().count() < MAX_LINE_WIDTH + 10);
        let carets = out.lines().find(|l| l.contains('^')).unwrap();
        assert_eq!(carets.matches('^').count(), 7);
        let caret_col = carets.chars().position(|c| c == '^').unwrap();
        let call_col = code_line.chars().collect::<Vec<_>>();
        assert_eq!(
            call_col[caret_col..caret_col + 4]
                .iter()
                .collect::<String>(),
            "call"
        );
    }
}
