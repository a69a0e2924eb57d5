//! `cargo xtask package`: `cargo package` of every published crate, each verified as crates.io
//! would see it: unpacked from its `.crate` and built on its own, with the crates of ours it
//! depends on taken from the other `.crate` files (cargo's workspace packaging overlays them on
//! crates.io), so a file left out of a package, a path outside it or a dependency without a
//! version fails here rather than at `cargo publish`.
//!
//! The unpublished members (examples, benchmarks, xtask) are not packaged. Uncommitted changes
//! are packaged as they are (`--allow-dirty`): CI runs on a clean clone, and a developer wants
//! their working tree checked.

use crate::{
    metadata,
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
    let mut args = vec!["package", "--locked", "--allow-dirty"];
    for p in &published {
        args.extend(["-p", &p.name]);
    }
    args.extend(PROFILE);
    cargo(&args, &[])
}
