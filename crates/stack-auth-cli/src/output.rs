//! Output format selection and the few printing helpers every command shares.

use std::io::Write;

use clap::ValueEnum;
use serde_json::Value;

use crate::outcome::{Exit, Failure};

/// How a command prints its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Lines for a person.
    #[default]
    Text,
    /// One JSON object on standard output, for scripts.
    Json,
}

/// Prints `value` as one line of JSON on standard output.
pub(crate) fn print_json(value: &Value) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`| head`) is not worth a panic: the exit code still tells the outcome.
    let _ = writeln!(out, "{value}");
    let _ = out.flush();
}

/// Reports `failure` (JSON on standard output, or `error: ..` on standard error) and returns
/// its exit code.
pub(crate) fn report_failure(format: OutputFormat, failure: &Failure) -> Exit {
    match format {
        OutputFormat::Json => print_json(&failure.to_json()),
        OutputFormat::Text => eprintln!("error: {failure}"),
    }
    failure.exit()
}
