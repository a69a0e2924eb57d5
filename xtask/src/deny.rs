//! `cargo xtask deny [--advisories]`: cargo-deny with `deny.toml`.
//!
//! By default the checks that need no advisory database: licences, bans (duplicate versions
//! warn) and sources. `--advisories` adds the RustSec advisory database, which cargo-deny clones
//! from GitHub; CI's network reaches crates.io only, so CI cannot run it (see README).

use crate::run::{command, Step};

/// Runs cargo-deny; a missing cargo-deny is a failure that says how to install it.
pub(crate) fn check(args: &[String]) -> Result<(), Step> {
    let advisories = match args {
        [] => false,
        [flag] if flag == "--advisories" => true,
        _ => return Err(Step("usage: cargo xtask deny [--advisories]".to_owned())),
    };
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let installed = std::process::Command::new(&cargo)
        .args(["deny", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        return Err(Step(
            "cargo deny (not installed: `cargo install cargo-deny --locked`; .ci/run pins its version)"
                .to_owned(),
        ));
    }
    let root = crate::root();
    let config = root.join("deny.toml");
    let manifest = root.join("Cargo.toml");
    let (config, manifest) = (config.to_string_lossy(), manifest.to_string_lossy());
    let mut checks = vec!["licenses", "bans", "sources"];
    if advisories {
        checks.push("advisories");
    }
    let mut argv = vec![
        "deny",
        "--locked",
        "--manifest-path",
        &manifest,
        "--config",
        &config,
        "check",
    ];
    argv.extend(checks);
    command(&cargo, &argv, &[])
}
