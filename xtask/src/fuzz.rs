//! `cargo xtask fuzz <target> <seconds>`: one cargo-fuzz target for a bounded time (issue 10).

use crate::run::{command, Step};

/// Runs `cargo fuzz run <target> -- -max_total_time=<seconds>` in `fuzz/`.
pub(crate) fn run(args: &[String]) -> Result<(), Step> {
    let (Some(target), Some(seconds)) = (args.first(), args.get(1)) else {
        return Err(Step("usage: cargo xtask fuzz <target> <seconds>".to_owned()));
    };
    let max_time = format!("-max_total_time={seconds}");
    command(
        "cargo",
        &["fuzz", "run", "--fuzz-dir", "fuzz", target, "--", &max_time],
        &[("RUSTC_BOOTSTRAP", "1")],
    )
}
