//! `cargo xtask bench [--peers | --http | --redis]`: runs the criterion benches and writes
//! `BENCHMARKS.md` from the numbers measured in that run (issue 9); `--http` runs only the HTTP
//! benchmark and replaces the report's "HTTP" section (issue 18); `--redis` runs only the Redis
//! benchmark ([`redis`]) and the fleet benchmark ([`fleet`]) and replaces the "Redis" section
//! (issue 21).
//!
//! 0. with `--peers` or `--http`: the HTTP benchmark ([`http`]), first, so a missing tool stops
//!    the run before the long benches;
//! 1. `cargo bench -p stack-auth-jwks --bench verify` (warm verifier, token cache, baseline);
//! 2. `cargo bench -p stack-auth-benchmarks` (threads, composite, REST, memory, revocation; not
//!    the fleet, which `--redis` runs), with `STACK_AUTH_BENCH_RESULTS` naming where the benches
//!    write what criterion does not keep;
//! 3. with `--peers`: Node `jose` and PyJWT verify the same token with the same key, each
//!    between two runs of ours measured the same way (`--bin peer_rate`);
//! 4. medians are read from `target/criterion/<group>/<id>/new/estimates.json` (refused if older
//!    than this run) and the report is written; without `--peers`, the HTTP section of the
//!    report already there is kept (it names its own run).

mod comparisons;
mod fleet;
mod format;
mod goals;
mod http;
mod machine;
mod measured;
mod peers;
mod redis;
mod report;
mod revocation;
mod section;

use std::{path::PathBuf, time::SystemTime};

use crate::run::{cargo, Step};

/// The benches of `stack-auth-benchmarks` the main report runs (`fleet` needs a
/// `redis-server` and runs with `--redis`).
const CRITERION_BENCHES: &[&str] = &[
    "threads",
    "composite",
    "rest",
    "memory",
    "verify_paired",
    "revocation",
];

/// Where the benches write their JSON results (read by `stack-auth-benchmarks`).
const RESULTS_DIR_ENV: &str = "STACK_AUTH_BENCH_RESULTS";

/// Paths of this workspace.
pub(crate) struct Paths {
    /// The workspace root.
    pub(crate) root: PathBuf,
    /// Cargo's target directory.
    pub(crate) target: PathBuf,
}

impl Paths {
    fn new() -> Paths {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .map_or_else(|| PathBuf::from("."), PathBuf::from);
        let target =
            std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
        let target = if target.is_relative() {
            root.join(target)
        } else {
            target
        };
        Paths { root, target }
    }

    fn results(&self) -> PathBuf {
        self.target.join("bench-results")
    }
}

/// Runs the benches the arguments ask for and writes `BENCHMARKS.md` at the workspace root.
pub(crate) fn run(args: &[String]) -> Result<(), Step> {
    let (mut with_peers, mut with_http, mut with_redis) = (false, false, false);
    for arg in args {
        match arg.as_str() {
            "--peers" => with_peers = true,
            "--http" => with_http = true,
            "--redis" => with_redis = true,
            other => return Err(Step(format!("bench: unknown argument {other}"))),
        }
    }
    let paths = Paths::new();
    let out = paths.root.join("BENCHMARKS.md");
    let existing = std::fs::read_to_string(&out).unwrap_or_default();
    let text = if with_redis && !with_peers && !with_http {
        redis::splice(&existing, &redis::run(&paths, "cargo xtask bench --redis")?)
    } else if with_http && !with_peers {
        let run = http::run(&paths, "cargo xtask bench --http")?;
        http::splice(&existing, &http::render(&run))
    } else {
        let command = if with_peers {
            "cargo xtask bench --peers"
        } else {
            "cargo xtask bench"
        };
        let http = if with_peers {
            http::render(&http::run(&paths, command)?)
        } else {
            http::section_of(&existing).map_or_else(
                || "## HTTP\n\nNot measured yet (`cargo xtask bench --http`).\n\n".to_owned(),
                str::to_owned,
            )
        };
        let redis = redis::section_of(&existing).map_or_else(redis::placeholder, str::to_owned);
        criterion_report(&paths, command, with_peers, &(http + &redis))?
    };
    std::fs::write(&out, text).map_err(|e| Step(format!("writing {} ({e})", out.display())))?;
    eprintln!("xtask: wrote {}", out.display());
    Ok(())
}

/// Runs the criterion benches (and the peers) and renders the whole report around `http`.
fn criterion_report(
    paths: &Paths,
    command: &str,
    with_peers: bool,
    http: &str,
) -> Result<String, Step> {
    let before = machine::Machine::collect(paths);
    let started = SystemTime::now();
    let results = paths.results();
    // Stale results of an earlier run must not be reported as this run's.
    let _ = std::fs::remove_dir_all(&results);
    let results = results.to_string_lossy().into_owned();
    cargo(
        &["bench", "-p", "stack-auth-jwks", "--bench", "verify"],
        &[],
    )?;
    let mut args = vec!["bench", "-p", "stack-auth-benchmarks"];
    for bench in CRITERION_BENCHES {
        args.extend(["--bench", bench]);
    }
    cargo(&args, &[(RESULTS_DIR_ENV, results.as_str())])?;
    let (peers, ours) = if with_peers {
        peers::run(paths)
    } else {
        (Vec::new(), Vec::new())
    };
    let load_after = machine::load_average();
    let measured = measured::Measured::read(paths, started)?;
    Ok(report::render(&report::Inputs {
        command,
        machine: &before,
        load_after: &load_after,
        measured: &measured,
        peers: &peers,
        ours: &ours,
        http,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bench added to `benchmarks/Cargo.toml` is run by one of the reports: the main one, or
    /// `--redis` (the fleet).
    #[test]
    fn every_bench_of_the_benchmarks_crate_is_run_by_a_report() {
        let manifest = Paths::new().root.join("benchmarks/Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap_or_default();
        let mut declared: Vec<&str> = text
            .split("[[bench]]")
            .skip(1)
            .filter_map(|block| block.split("name = \"").nth(1)?.split('"').next())
            .collect();
        declared.sort_unstable();
        let mut run: Vec<&str> = CRITERION_BENCHES.iter().copied().chain(["fleet"]).collect();
        run.sort_unstable();
        assert_eq!(declared, run);
    }
}
