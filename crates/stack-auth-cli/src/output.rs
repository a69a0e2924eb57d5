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
    print_text(&format!("{value}\n"));
}

/// Writes `text` to standard output as it is. A closed pipe (`| head`) is not worth a panic,
/// unlike with `print!`: the exit code still tells the outcome.
pub(crate) fn print_text(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
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
