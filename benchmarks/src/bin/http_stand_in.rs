//! The stand-in of the HTTP benchmark: starts a local Stack Auth with a few users, writes the
//! [`HttpSetup`](stack_auth_benchmarks::HttpSetup) file, prints `{"ready":true}`, then answers
//! each [`Command`] line read on stdin with one JSON line, until stdin closes.
//!
//! Usage: `http_stand_in <setup-file> [users]` (started by `cargo xtask bench --http`).

use std::{
    io::{BufRead as _, Write as _},
    path::PathBuf,
};

use serde_json::json;
use stack_auth_benchmarks::{runtime, BenchError, Command, StandInControl};

fn main() -> Result<(), BenchError> {
    let mut args = std::env::args().skip(1);
    let setup_file = PathBuf::from(
        args.next()
            .ok_or("usage: http_stand_in <setup-file> [users]")?,
    );
    let users: usize = args.next().map_or(Ok(8), |n| n.parse())?;
    let rt = runtime(1);
    let control = rt.block_on(StandInControl::start(users))?;
    control.setup().write(&setup_file)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", json!({ "ready": true }))?;
    out.flush()?;
    for line in std::io::stdin().lock().lines() {
        let answer = line
            .map_err(BenchError::from)
            .and_then(|l| l.parse::<Command>())
            .and_then(|command| control.run(&command))
            .unwrap_or_else(|e| json!({ "error": e.to_string() }));
        writeln!(out, "{answer}")?;
        out.flush()?;
    }
    Ok(())
}
