//! Machine-readable results for the numbers criterion does not keep (request counts, memory).

use std::path::PathBuf;

use serde_json::Value;

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
