//! Project automation, run as `cargo xtask <task>`:
//!
//! | task | what it does |
//! |---|---|
//! | `ci` | everything CI checks: `lint`, `test`, then `release` |
//! | `fixtures` | `fixtures/` byte-identical to `../shared` (when it is there) |
//! | `lint` | the fixture check, `msrv`, `cargo fmt --check`, clippy with `-D warnings` on all targets, `cargo doc` with warnings denied, benches compiled (dev profile) |
//! | `test` | the test suite: `cargo test --workspace` (README's snippets run as doc tests of `examples`) |
//! | `release` | what publishing needs beyond `lint` and `test`: `features`, `package`, `deny` |
//! | `features` | each published library crate alone with no default features, its defaults, and each feature (clippy `-D warnings`) |
//! | `package` | `cargo package` of the published crates, each verified to build alone from its `.crate` |
//! | `deny [--advisories]` | cargo-deny: licences, bans, sources (advisories need GitHub) |
//! | `msrv` | `rust-version` is at least every dependency's declared `rust-version` |
//! | `bench [--peers \| --http \| --redis]` | the criterion benches, summarised into `BENCHMARKS.md`; `--peers` adds the peers and the HTTP benchmark, `--http` runs only the HTTP benchmark and replaces its section, `--redis` only the Redis benchmark (shared cache, eviction bus) and its section |
//! | `fuzz <target> <seconds>` | one `cargo fuzz` target for a bounded time |

mod bench;
mod deny;
mod features;
mod fixtures;
mod fuzz;
mod metadata;
mod msrv;
mod package;
mod run;

use std::process::ExitCode;

use run::{cargo, Step};

/// The exact test command README.md gives and `.ci/run` runs.
const TEST_ARGS: &[&str] = &["test", "--workspace"];

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("ci") => lint().and_then(|()| test()).and_then(|()| release()),
        Some("lint") => lint(),
        Some("fixtures") => fixtures::check(&root()),
        Some("test") => test(),
        Some("release") => release(),
        Some("features") => features::check(),
        Some("package") => package::check(),
        Some("deny") => deny::check(&args[1..]),
        Some("msrv") => msrv::check(),
        Some("bench") => bench::run(&args[1..]),
        Some("fuzz") => fuzz::run(&args[1..]),
        _ => {
            eprintln!(
                "usage: cargo xtask <ci|lint|test|release|features|package|deny [--advisories]|msrv|fixtures|bench [--peers|--http|--redis]|fuzz <target> <seconds>>"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(step) => {
            eprintln!("xtask: {step} failed");
            ExitCode::FAILURE
        }
    }
}

fn lint() -> Result<(), Step> {
    fixtures::check(&root())?;
    msrv::check()?;
    cargo(&["fmt", "--all", "--", "--check"], &[])?;
    cargo(
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    )?;
    cargo(
        &["doc", "--workspace", "--no-deps"],
        &[("RUSTDOCFLAGS", "-D warnings")],
    )?;
    // The benches are compiled, never run, in CI: in the dev profile, so they share every
    // dependency build with `cargo test` (a release build of them doubled CI's disk use).
    // `cargo test` builds the examples itself.
    cargo(&["build", "--workspace", "--benches"], &[])
}

/// What a release needs beyond `lint` and `test`; `.ci/run` runs it after them.
fn release() -> Result<(), Step> {
    features::check()?;
    package::check()?;
    deny::check(&[])
}

/// The repository root (xtask lives one level below it).
pub(crate) fn root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or_default()
}

fn test() -> Result<(), Step> {
    cargo(TEST_ARGS, &[])
}
