//! `privacy-lens report`: runs the same analysis as `check` and renders the
//! AI data-flow inventory. Exit status 0 whatever it finds (it is a view, not
//! a gate; `check` is the gate), 2 on usage or configuration errors.

use std::io::{self, IsTerminal, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::ValueEnum;

use privacy_lens::check::{self, CheckError, CheckOptions};
use privacy_lens::output;
use privacy_lens::report::{fides, html, inventory, markdown};

use crate::{BarProgress, EXIT_USAGE};

#[derive(Debug, clap::Args)]
pub struct ReportArgs {
    /// Files or directories to take stock of.
    #[arg(value_name = "PATH", default_value = ".")]
    paths: Vec<PathBuf>,

    /// Output format: Markdown with a Mermaid diagram, a self-contained HTML
    /// page, JSON, or a Fides system manifest (YAML).
    #[arg(long, value_enum, default_value_t = ReportFormat::Markdown)]
    format: ReportFormat,

    /// Write to this file (atomically) instead of stdout.
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,

    /// The Fides system's `fides_key` [default: from the first PATH's directory name].
    #[arg(long, value_name = "KEY")]
    system_key: Option<String>,

    /// The Fides system's `name` [default: the first PATH's directory name].
    #[arg(long, value_name = "NAME")]
    system_name: Option<String>,

    /// Number of worker threads [default: available cores].
    #[arg(long, value_name = "N")]
    threads: Option<NonZeroUsize>,

    /// Never show a progress bar.
    #[arg(long)]
    no_progress: bool,

    /// Skip files larger than this many bytes.
    #[arg(long, value_name = "BYTES", default_value_t = check::DEFAULT_MAX_FILE_SIZE)]
    max_file_size: u64,

    /// Use this configuration file instead of discovering one.
    #[arg(long, value_name = "FILE", conflicts_with = "no_config")]
    config: Option<PathBuf>,

    /// Use no configuration file.
    #[arg(long)]
    no_config: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ReportFormat {
    Markdown,
    Html,
    Json,
    Fides,
}

pub fn run(args: &ReportArgs) -> anyhow::Result<ExitCode> {
    if let Some(key) = &args.system_key
        && !fides::is_fides_key(key)
    {
        eprintln!(
            "error: --system-key `{key}`: a Fides key has only letters, digits and `_ . < > -`"
        );
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let options = CheckOptions {
        max_file_size: args.max_file_size,
        threads: args.threads,
        exits_after: true,
        ..CheckOptions::default()
    };
    let Some(options) =
        crate::configured(options, &args.paths, args.config.as_deref(), args.no_config)
    else {
        return Ok(ExitCode::from(EXIT_USAGE));
    };
    let progress = BarProgress::new(!args.no_progress && io::stderr().is_terminal());
    let result = match check::check(&args.paths, &options, &progress) {
        Ok(result) => result,
        Err(err @ (CheckError::NotFound(_) | CheckError::Inaccessible { .. })) => {
            eprintln!("error: {err}");
            return Ok(ExitCode::from(EXIT_USAGE));
        }
        Err(err) => return Err(err).context("cannot run the analysis"),
    };
    for skipped in &result.skipped {
        eprintln!(
            "warning: skipped {}: {}",
            skipped.path.display(),
            skipped.reason
        );
    }
    let scope: Vec<String> = args
        .paths
        .iter()
        .map(|p| privacy_lens::report::path_string(p))
        .collect();
    let inventory = inventory::build(&result, &scope);
    let project = project_name(args.paths.first().map(PathBuf::as_path));
    let fides_options = fides::FidesOptions {
        fides_key: args
            .system_key
            .clone()
            .unwrap_or_else(|| fides::fides_key(&project)),
        name: args.system_name.clone().unwrap_or(project),
        organization: "default_organization".to_string(),
    };
    let format = args.format;
    let render = |out: &mut dyn Write| -> io::Result<()> {
        match format {
            ReportFormat::Markdown => markdown::write(out, &inventory),
            ReportFormat::Html => html::write(out, &inventory),
            ReportFormat::Json => inventory::write_json(out, &inventory),
            ReportFormat::Fides => fides::write(out, &inventory, &fides_options),
        }
    };
    match &args.output {
        Some(path) => output::write_atomically(path, render)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => {
            let mut out = io::BufWriter::new(io::stdout().lock());
            render(&mut out)?;
            out.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The project's name: the (absolute) directory name of the first path.
fn project_name(path: Option<&Path>) -> String {
    let path = path.unwrap_or(Path::new("."));
    let absolute = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let dir = if absolute.is_file() {
        absolute.parent().map(Path::to_path_buf).unwrap_or(absolute)
    } else {
        absolute
    };
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ai_system".to_string())
}
