//! Machine-readable results for the numbers criterion does not keep (request counts, memory).

use std::{path::PathBuf, time::Duration};

use serde_json::{json, Value};
use stack_auth_testkit::quantile;

/// Environment variable naming the directory where benches write `<name>.json`
/// (`cargo xtask bench` sets it; without it the results are only printed).
pub const RESULTS_DIR_ENV: &str = "STACK_AUTH_BENCH_RESULTS";

/// Prints `results` and, when [`RESULTS_DIR_ENV`] is set, writes them to `<dir>/<name>.json`.
///
/// # Errors
///
/// When the directory cannot be created or the file cannot be written.
pub fn write_results(name: &str, results: &Value) -> std::io::Result<Option<PathBuf>> {
    let text = serde_json::to_string_pretty(results).map_err(std::io::Error::other)?;
    println!("\n{name} results:\n{text}");
    let Some(dir) = std::env::var_os(RESULTS_DIR_ENV) else {
        return Ok(None);
    };
    let dir = PathBuf::from(dir);
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("{name}.json"));
    std::fs::write(&path, text)?;
    Ok(Some(path))
}

/// The median, 99th percentile and maximum of `samples` in microseconds, and their number:
/// `{"median_us", "p99_us", "max_us", "n"}` (nearest rank, as the testkit's
/// [`quantile`]; zeros for no samples).
pub fn latency_summary(mut samples: Vec<Duration>) -> Value {
    samples.sort();
    let at = |q: f64| quantile(&samples, q).as_secs_f64() * 1e6;
    json!({ "median_us": at(0.5), "p99_us": at(0.99), "max_us": at(1.0), "n": samples.len() })
}
