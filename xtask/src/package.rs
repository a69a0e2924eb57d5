//! `cargo xtask package`: `cargo package` of every published crate, each verified as crates.io
//! would see it: unpacked from its `.crate` and built on its own, with the crates of ours it
//! depends on taken from the other `.crate` files (cargo's workspace packaging overlays them on
//! crates.io), so a file left out of a package, a path outside it or a dependency without a
//! version fails here rather than at `cargo publish`.
//!
//! The unpublished members (examples, benchmarks, xtask) are not packaged. Uncommitted changes
//! are packaged as they are (`--allow-dirty`): CI runs on a clean clone, and a developer wants
//! their working tree checked.

use std::path::PathBuf;

use crate::{
    metadata::{self, Published},
    run::{cargo, Step},
};

/// The workspace's dev profile, repeated for the verification builds: those run in each
/// package's own directory, where the workspace's `[profile]` does not apply, and would
/// otherwise build every dependency again with full debug info.
const PROFILE: &[&str] = &[
    "--config",
    "profile.dev.debug=\"line-tables-only\"",
    "--config",
    "profile.dev.package.\"*\".debug=false",
];

/// Packages and verifies every published crate.
pub(crate) fn check() -> Result<(), Step> {
    let published = metadata::published()?;
    forget_unpacked_overlays(&published);
    let mut args = vec!["package", "--locked", "--allow-dirty"];
    for p in &published {
        args.extend(["-p", &p.name]);
    }
    args.extend(PROFILE);
    cargo(&args, &[])
}

/// Removes our crates as an earlier run unpacked them from cargo's overlay registry.
///
/// The overlay is a local registry under `target/package/`, and cargo unpacks its crates into
/// `$CARGO_HOME/registry/src/-<hash of the registry's path>/`, reusing a directory already
/// there. A second run from the same path, after a change to one of our crates but not to its
/// version, would verify the others against the first run's sources. Only directories of the
/// overlay registries (names starting with `-`; crates.io's start with its host name) named
/// after one of our crates are removed.
fn forget_unpacked_overlays(published: &[Published]) {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    let Some(src) = home.map(|h| h.join("registry").join("src")) else {
        return;
    };
    let Ok(registries) = std::fs::read_dir(&src) else {
        return;
    };
    for registry in registries.flatten() {
        if !registry.file_name().to_string_lossy().starts_with('-') {
            continue;
        }
        let Ok(crates) = std::fs::read_dir(registry.path()) else {
            continue;
        };
        for unpacked in crates.flatten() {
            let name = unpacked.file_name().to_string_lossy().into_owned();
            if published.iter().any(|p| is_unpacked(&name, &p.name)) {
                eprintln!(
                    "xtask: removing {} (unpacked by an earlier package run)",
                    unpacked.path().display()
                );
                let _ = std::fs::remove_dir_all(unpacked.path());
            }
        }
    }
}

/// Whether directory `dir` is crate `name` unpacked (`<name>-<version>`).
fn is_unpacked(dir: &str, name: &str) -> bool {
    dir.strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::is_unpacked;

    #[test]
    fn only_the_crate_itself_at_a_version_is_matched() {
        assert!(is_unpacked("stack-auth-core-0.1.0", "stack-auth-core"));
        assert!(!is_unpacked(
            "stack-auth-core-extra-0.1.0",
            "stack-auth-core"
        ));
        assert!(!is_unpacked("stack-auth-0.1.0", "stack-auth-core"));
        assert!(is_unpacked("stack-auth-0.1.0", "stack-auth"));
        assert!(!is_unpacked("stack-auth-core-0.1.0", "stack-auth"));
    }
}
