//! The `privacy-lens` command line: `check`, `report`, `rules`, `explain`, `lsp`.
//!
//! stdout carries results; logs and progress go to stderr. Exit status: 0 no
//! finding at or above `--fail-on`, 1 findings, 2 usage or configuration errors.

use std::io::{self, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use privacy_lens::check::{self, CheckError, CheckOptions, Mode, Progress};
use privacy_lens::config;
use privacy_lens::finding::Severity;
use privacy_lens::report::{github, json, sarif, text};
use privacy_lens::rules;

mod report_cmd;

/// Exit status for usage and configuration errors (clap uses it too).
const EXIT_USAGE: u8 = 2;

#[derive(Debug, Parser)]
#[command(name = "privacy-lens", version, about, propagate_version = true)]
struct Cli {
    /// Log verbosity on stderr (overrides RUST_LOG).
    #[arg(long, global = true, value_enum, value_name = "LEVEL")]
    log_level: Option<LogLevel>,

    /// When to use colour on stdout.
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    color: ColorWhen,

    /// Run the language server on stdin/stdout (the same as `lsp`).
    #[arg(long, global = true)]
    stdio: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Find personal data flowing into AI calls.
    Check(CheckArgs),
    /// The inventory of where personal data meets AI: by AI system, with
    /// categories, sources, declared uses, bases and undeclared flows.
    Report(report_cmd::ReportArgs),
    /// List every rule: code, name, default severity and summary.
    Rules(RulesArgs),
    /// Run the language server on stdin/stdout (diagnostics, hovers, code actions).
    Lsp,
    /// Explain a rule, a data category, an AI privacy risk or a tag key.
    Explain {
        /// A rule code (PL101) or name (personal-data-to-llm), a fideslang data
        /// category (user.health_and_medical), a risk (memorization), a data
        /// use (train_ai_system), a data subject (patient), a basis (consent),
        /// a sink kind (fine_tuning) or a tag field (safeguards).
        #[arg(value_name = "CODE|NAME|CATEGORY|RISK")]
        query: String,
    },
}

#[derive(Debug, clap::Args)]
struct CheckArgs {
    /// Files or directories to check.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,

    /// Exit with status 1 when a finding has at least this severity.
    #[arg(long, value_enum, default_value_t = FailOn::Warning, value_name = "SEVERITY")]
    fail_on: FailOn,

    /// Number of worker threads [default: available cores].
    #[arg(long, value_name = "N")]
    threads: Option<NonZeroUsize>,

    /// Also list every recognised AI call that receives no personal data.
    #[arg(long)]
    all_sinks: bool,

    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,

    /// Analyse each file on its own, without following imports into other
    /// files of the workspace (faster, finds fewer flows).
    #[arg(long)]
    no_cross_file: bool,

    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = check::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,

    /// Walk, read and parse every file, but skip the analysis (benchmarks).
    #[arg(long, hide = true)]
    parse_only: bool,

    /// Use this configuration file instead of discovering privacy-lens.toml
    /// or pyproject.toml from the first PATH upwards.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long)]
    no_config: bool,

    /// Report only flows introduced since this git revision (for pull
    /// requests): findings whose flow already existed there are dropped.
    #[arg(long, value_name = "BASE")]
    diff: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands (annotations on the diff).
    Github,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FailOn {
    Hint,
    Info,
    Warning,
    Error,
}

impl From<FailOn> for Severity {
    fn from(value: FailOn) -> Severity {
        match value {
            FailOn::Hint => Severity::Hint,
            FailOn::Info => Severity::Info,
            FailOn::Warning => Severity::Warning,
            FailOn::Error => Severity::Error,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LogLevel {
    Off,
    Error,
    Warn,
    Info,
    Debug,
    Trace,
}

impl LogLevel {
    fn directive(self) -> &'static str {
        match self {
            LogLevel::Off => "off",
            LogLevel::Error => "error",
            LogLevel::Warn => "warn",
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
            LogLevel::Trace => "trace",
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = match cli.command {
        Some(command) => command,
        None if cli.stdio => Command::Lsp,
        None => {
            let _ = Cli::command().print_help();
            return ExitCode::from(EXIT_USAGE);
        }
    };
    // stderr of a language server ends up in an editor's log: no colour.
    let log_color = match command {
        Command::Lsp => ColorWhen::Never,
        _ => cli.color,
    };
    init_logging(cli.log_level, log_color);
    let result = match &command {
        Command::Check(args) => run_check(args, cli.color),
        Command::Report(args) => report_cmd::run(args),
        Command::Rules(args) => list_rules(args.format),
        Command::Explain { query } => explain(query),
        Command::Lsp => run_lsp(),
    };
    match result {
        Ok(code) => code,
        Err(err) => {
            // A closed pipe (`privacy-lens check | head`) is not an error.
            if err
                .downcast_ref::<io::Error>()
                .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            {
                return ExitCode::SUCCESS;
            }
            eprintln!("error: {err:#}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// Exit status 0 after `shutdown` then `exit`, 1 when the client exited
/// without `shutdown` or closed the pipe (as LSP prescribes).
fn run_lsp() -> anyhow::Result<ExitCode> {
    let clean = privacy_lens::server::run_stdio().context("cannot start the language server")?;
    Ok(if clean {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn init_logging(level: Option<LogLevel>, color: ColorWhen) {
    use tracing_subscriber::EnvFilter;
    let filter = match level {
        Some(level) => EnvFilter::new(level.directive()),
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn")),
    };
    let ansi = match color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            anstream::AutoStream::choice(&io::stderr()) != anstream::ColorChoice::Never
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(ansi)
        .with_target(false)
        .init();
}

/// Whether to colour stdout: `auto` colours terminals unless NO_COLOR is set.
fn stdout_color(color: ColorWhen) -> bool {
    match color {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            anstream::AutoStream::choice(&io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

fn run_check(args: &CheckArgs, color: ColorWhen) -> anyhow::Result<ExitCode> {
    let options = CheckOptions {
        max_file_size: args.max_file_size,
        threads: args.threads,
        mode: if args.parse_only {
            Mode::ParseOnly
        } else {
            Mode::Analyze
        },
        cross_file: !args.no_cross_file,
        exits_after: true,
        ..CheckOptions::default()
    };
    let Some(options) = configured(options, &args.paths, args.config.as_deref(), args.no_config)
    else {
        return Ok(ExitCode::from(EXIT_USAGE));
    };
    let show_progress = !args.no_progress && io::stderr().is_terminal();
    let progress = BarProgress::new(show_progress);
    let mut result = match check::check(&args.paths, &options, &progress) {
        Ok(result) => result,
        Err(err @ (CheckError::NotFound(_) | CheckError::Inaccessible { .. })) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
        Err(err) => return Err(err).context("cannot run the check"),
    };

    if let Some(base) = &args.diff {
        let dir = args.paths.first().map_or(Path::new("."), PathBuf::as_path);
        let dir = if dir.is_dir() {
            dir
        } else {
            dir.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."))
        };
        match privacy_lens::diff::retain_new(&mut result, dir, base, &options) {
            Ok(summary) => tracing::info!(?summary, "diff against {base}"),
            Err(err) => {
                eprintln!("error: --diff {base}: {err}");
                return Ok(ExitCode::from(EXIT_USAGE));
            }
        }
    }

    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    if args.parse_only {
        let seconds = result.elapsed.as_secs_f64();
        let totals = result.totals;
        eprintln!(
            "parsed {} files, {} lines, {} bytes in {seconds:.3} s",
            totals.files, totals.lines, totals.bytes
        );
        for skipped in &result.skipped {
            tracing::info!("skipped {}: {}", skipped.path.display(), skipped.reason);
        }
        if matches!(args.format, Format::Json) {
            serde_json::to_writer(&mut out, &json::ParseSummary::new(&totals, seconds))?;
            writeln!(out)?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }

    match args.format {
        Format::Text => {
            let options = text::TextOptions {
                color: stdout_color(color),
                all_sinks: args.all_sinks,
            };
            text::write(&mut out, &result, &options)?;
        }
        Format::Json => {
            let options = json::JsonOptions {
                all_sinks: args.all_sinks,
            };
            json::write(&mut out, &result, &options)?;
        }
        Format::Sarif => {
            let root = std::env::current_dir().ok();
            sarif::write(&mut out, &result, root.as_deref())?;
        }
        Format::Github => {
            let options = github::GithubOptions {
                min_severity: Severity::from(args.fail_on).min(Severity::Info),
            };
            github::write(&mut out, &result, &options)?;
        }
    }
    out.flush()?;

    tracing::info!(
        files = result.totals.files,
        lines = result.totals.lines,
        elapsed = ?result.elapsed,
        "check done"
    );
    let threshold = Severity::from(args.fail_on);
    let failed = result.findings().any(|(_, f)| f.severity >= threshold);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The configuration for `check` and `report` (warnings go to stderr).
/// `options` with the project configuration, or `None` after printing why
/// the configuration could not be used (exit status 2).
fn configured(
    options: CheckOptions,
    paths: &[PathBuf],
    config_file: Option<&Path>,
    no_config: bool,
) -> Option<CheckOptions> {
    match load_config(paths, config_file, no_config) {
        Ok(config) => Some(options.with_config(config)),
        Err(config::ConfigError::Invalid(problems)) => {
            for problem in problems {
                eprintln!("error: {problem}");
            }
            None
        }
        Err(err) => {
            eprintln!("error: {err}");
            None
        }
    }
}

fn load_config(
    paths: &[PathBuf],
    file: Option<&Path>,
    no_config: bool,
) -> Result<config::Config, config::ConfigError> {
    if no_config {
        return Ok(config::Config::default());
    }
    let Some(loaded) = config::for_check(paths, file)? else {
        return Ok(config::Config::default());
    };
    tracing::info!("configuration: {}", loaded.path.display());
    for warning in &loaded.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(loaded.config)
}

/// An indicatif bar on stderr that appears only once a run has taken longer
/// than [`BarProgress::DELAY`].
struct BarProgress {
    bar: Option<ProgressBar>,
    started: Instant,
    visible: AtomicBool,
}

impl BarProgress {
    const DELAY: Duration = Duration::from_millis(300);

    fn new(enabled: bool) -> Self {
        let bar = enabled.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            if let Ok(style) =
                ProgressStyle::with_template("{bar:40} {pos}/{len} files {elapsed} {wide_msg}")
            {
                bar.set_style(style);
            }
            bar
        });
        BarProgress {
            bar,
            started: Instant::now(),
            visible: AtomicBool::new(false),
        }
    }
}

impl Progress for BarProgress {
    fn start(&self, total: usize) {
        if let Some(bar) = &self.bar {
            bar.set_length(total as u64);
        }
    }

    fn file_done(&self, path: &Path) {
        let Some(bar) = &self.bar else { return };
        bar.inc(1);
        if self.started.elapsed() >= Self::DELAY && !self.visible.swap(true, Ordering::Relaxed) {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        if self.visible.load(Ordering::Relaxed) {
            bar.set_message(path.display().to_string());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

#[derive(Debug, clap::Args)]
struct RulesArgs {
    /// Output format: a list, or Markdown with every rule's documentation
    /// (the content of docs/rules.md).
    #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
    format: RulesFormat,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum RulesFormat {
    Text,
    Markdown,
}

fn list_rules(format: RulesFormat) -> anyhow::Result<ExitCode> {
    let mut out = io::BufWriter::new(io::stdout().lock());
    match format {
        RulesFormat::Text => {
            let name_width = rules::ALL.iter().map(|r| r.name.len()).max().unwrap_or(0);
            for rule in rules::ALL {
                writeln!(
                    out,
                    "{}  {:name_width$}  {:7}  {}",
                    rule.code,
                    rule.name,
                    rule.default_severity.as_str(),
                    rule.summary
                )?;
            }
        }
        RulesFormat::Markdown => write!(out, "{}", rules_markdown())?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// docs/rules.md: a table of every rule, then each rule's page with its
/// headings one level down.
fn rules_markdown() -> String {
    let mut md = String::from(
        "# Rules\n\n\
         <!-- Generated by `privacy-lens rules --format markdown > docs/rules.md`. Do not edit: \
         edit src/rules/docs/*.md and regenerate. -->\n\n\
         Every rule privacy-lens reports, with its default severity. `privacy-lens explain CODE` \
         prints one page in the terminal; severities can be changed in `privacy-lens.toml`.\n\n\
         | Code | Name | Default severity | Summary |\n\
         |---|---|---|---|\n",
    );
    for rule in rules::ALL {
        let anchor = format!("{}-{}", rule.code, rule.name).to_ascii_lowercase();
        md.push_str(&format!(
            "| [{}](#{anchor}) | `{}` | {} | {} |\n",
            rule.code,
            rule.name,
            rule.default_severity.as_str(),
            rule.summary.replace('|', "\\|")
        ));
    }
    for rule in rules::ALL {
        md.push('\n');
        let mut fence: Option<&str> = None;
        for line in rule.docs.trim_end().lines() {
            let trimmed = line.trim_start();
            match fence {
                Some(marker) if trimmed.starts_with(marker) => fence = None,
                Some(_) => {}
                None if trimmed.starts_with("```") => fence = Some("```"),
                None if trimmed.starts_with("~~~") => fence = Some("~~~"),
                None if line.starts_with('#') => md.push('#'),
                None => {}
            }
            md.push_str(line);
            md.push('\n');
        }
    }
    md
}

/// What `explain` can look up, for suggestions: (key, what it is).
fn explain_candidates() -> Vec<(String, String)> {
    let knowledge = privacy_lens::knowledge::get();
    let base = privacy_lens::knowledge::base::get();
    let mut out: Vec<(String, String)> = Vec::new();
    for rule in rules::ALL {
        out.push((rule.code.to_string(), format!("rule {}", rule.name)));
        out.push((rule.name.to_string(), format!("rule {}", rule.code)));
    }
    let taxonomy = &knowledge.taxonomy;
    out.extend(
        taxonomy
            .data_categories
            .iter()
            .map(|c| (c.key.clone(), "data category".to_string())),
    );
    out.extend(
        base.risks
            .iter()
            .map(|r| (r.id.clone(), "AI privacy risk".to_string())),
    );
    out.extend(
        taxonomy
            .data_uses
            .iter()
            .map(|u| (u.key.clone(), "data use".to_string())),
    );
    out.extend(
        taxonomy
            .data_subjects
            .iter()
            .map(|u| (u.key.clone(), "data subject".to_string())),
    );
    out.extend(
        base.bases
            .iter()
            .map(|b| (b.key.clone(), "lawful basis".to_string())),
    );
    out.extend(
        privacy_lens::finding::SinkKind::ALL
            .iter()
            .map(|k| (k.as_str().to_string(), "sink kind".to_string())),
    );
    out.extend(
        base.fields
            .iter()
            .map(|f| (f.key.clone(), "tag field".to_string())),
    );
    out
}

fn explain(query: &str) -> anyhow::Result<ExitCode> {
    use privacy_lens::knowledge::base;
    let query = query.trim();
    let text = rules::find(query)
        .map(|rule| rule.docs.to_string())
        .or_else(|| base::category_explanation(query))
        .or_else(|| base::risk_explanation(query))
        .or_else(|| base::tag_key_explanation(query));
    if let Some(text) = text {
        let mut out = io::stdout().lock();
        write!(out, "{text}")?;
        if !text.ends_with('\n') {
            writeln!(out)?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "error: nothing to explain for `{query}`: not a rule, data category, risk, data use, data subject or tag key"
    );
    let suggestions = closest_keys(query);
    if !suggestions.is_empty() {
        let list: Vec<String> = suggestions
            .iter()
            .map(|(key, what)| format!("`{key}` ({what})"))
            .collect();
        eprintln!("  help: did you mean {}?", list.join(", "));
    }
    eprintln!("  help: `privacy-lens rules` lists every rule");
    if suggestions.is_empty() {
        eprintln!("  help: risks: {}", base::risk_ids().join(", "));
        eprintln!(
            "  help: categories, data uses and subjects are fideslang keys, e.g. `user.contact.email`, `train_ai_system`, `customer`"
        );
    }
    Ok(ExitCode::from(EXIT_USAGE))
}

/// The explainable keys closest to `query`, best first, at most three.
fn closest_keys(query: &str) -> Vec<(String, String)> {
    let query = query.to_ascii_lowercase();
    let last = |s: &str| s.rsplit('.').next().unwrap_or(s).to_string();
    let query_last = last(&query);
    let mut scored: Vec<(usize, f64, String, String)> = explain_candidates()
        .into_iter()
        .filter_map(|(key, what)| {
            let lower = key.to_ascii_lowercase();
            let distance = strsim::levenshtein(&query, &lower);
            let similarity = strsim::jaro_winkler(&query, &lower)
                .max(strsim::jaro_winkler(&query_last, &last(&lower)) * 0.95);
            // A misspelt start of a long key: `user.helth` for `user.health_and_medical`.
            let prefix: String = lower.chars().take(query.chars().count()).collect();
            let prefix_close = query.len() >= 5
                && lower.len() > query.len()
                && strsim::levenshtein(&query, &prefix) <= query.len() / 5;
            let close = distance <= (query.len() / 3).max(1)
                || similarity >= 0.9
                || prefix_close
                || (query.len() >= 3 && lower.contains(&query));
            close.then_some((distance, similarity, key, what))
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.total_cmp(&a.1)));
    let mut out: Vec<(String, String)> = Vec::new();
    for (_, _, key, what) in scored {
        if !out.iter().any(|(k, _)| *k == key) {
            out.push((key, what));
        }
        if out.len() == 3 {
            break;
        }
    }
    out
}
