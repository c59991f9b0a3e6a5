//! GitHub Actions workflow commands (`check --format github`): one
//! `::error`, `::warning` or `::notice` line per finding, which the runner
//! turns into annotations on the pull request's diff, then a plain summary
//! line for the log.
//!
//! Findings below `min_severity` are left out: by default declared flows
//! (severity `hint`) are not annotated, since a reviewer already accepted
//! them in the tag.

use std::io::{self, Write};

use super::{path_string, range};
use crate::check::CheckResult;
use crate::finding::Severity;

#[derive(Debug, Clone, Copy)]
pub struct GithubOptions {
    /// Findings below this severity are not annotated.
    pub min_severity: Severity,
}

impl Default for GithubOptions {
    fn default() -> Self {
        GithubOptions {
            min_severity: Severity::Info,
        }
    }
}

pub fn write(out: &mut dyn Write, result: &CheckResult, options: &GithubOptions) -> io::Result<()> {
    let mut annotated = 0;
    for (file, finding) in result.findings() {
        if finding.severity < options.min_severity {
            continue;
        }
        annotated += 1;
        let command = match finding.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info | Severity::Hint => "notice",
        };
        let at = range(file.text.as_deref(), &finding.span);
        let mut message = finding.message.clone();
        if !finding.categories.is_empty() {
            message.push_str(&format!("\ncategories: {}", finding.categories.join(", ")));
        }
        if !finding.flow.is_empty() {
            let steps = super::flow_steps(&file.path, finding);
            message.push_str(&format!("\nflow: {}", steps.join(" → ")));
        }
        if finding.sink.is_some() {
            message.push_str(&format!("\nstatus: {}", finding.status.as_str()));
        }
        message.push_str(&format!(
            "\nSee `privacy-lens explain {}` for the risks and fixes.",
            finding.code
        ));
        let title = format!("{} {}", finding.code, finding.rule);
        // GitHub reads columns only on one-line annotations.
        let columns = if at.start.line == at.end.line {
            format!(",col={},endColumn={}", at.start.column, at.end.column)
        } else {
            String::new()
        };
        writeln!(
            out,
            "::{command} file={},line={},endLine={}{columns},title={}::{}",
            escape_property(&path_string(&file.path)),
            at.start.line,
            at.end.line,
            escape_property(&title),
            escape_data(&message),
        )?;
    }
    let total = result.finding_count();
    writeln!(
        out,
        "privacy-lens: {total} {} in {} {} ({annotated} annotated)",
        if total == 1 { "finding" } else { "findings" },
        result.totals.files,
        if result.totals.files == 1 {
            "file"
        } else {
            "files"
        },
    )
}

/// Escapes a workflow command's message (`%`, CR and LF).
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value (also `:` and `,`).
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_actions_toolkit() {
        assert_eq!(escape_data("100%\r\nok"), "100%25%0D%0Aok");
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }
}
