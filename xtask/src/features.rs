//! `cargo xtask features`: every published library crate is checked (clippy, warnings denied) on
//! its own with no default features, with its defaults, and with each feature alone on top of no
//! defaults, as `cargo hack check --each-feature` would, without installing it.
//!
//! A workspace build unifies features, so `cargo test --workspace` never sees a crate that fails
//! to build with only the features it asks for, or a feature that needs another it does not
//! enable. Here each check names one package (`-p`), so cargo resolves that package's features
//! alone.
//!
//! The `*-vendored` TLS features are skipped: they compile OpenSSL from source (minutes on CI's
//! two cores) and differ from their non-vendored twin only in how OpenSSL is built, which this
//! workspace's code cannot get wrong.

use crate::{
    metadata,
    run::{cargo, Step},
};

/// Features whose names end so are not checked on their own (see the module docs).
const SKIPPED_SUFFIX: &str = "-vendored";

/// Runs the checks; the first failure stops them.
pub(crate) fn check() -> Result<(), Step> {
    let libraries: Vec<_> = metadata::published()?
        .into_iter()
        .filter(|p| p.is_library)
        .collect();
    let mut count = 0;
    for lib in &libraries {
        let mut sets: Vec<Vec<&str>> = vec![vec!["--no-default-features"], vec![]];
        for feature in &lib.features {
            if feature.ends_with(SKIPPED_SUFFIX) {
                eprintln!("xtask: features: {} `{feature}` skipped", lib.name);
                continue;
            }
            sets.push(vec!["--no-default-features", "--features", feature]);
        }
        for set in sets {
            let mut args = vec!["clippy", "--locked", "--lib", "-p", &lib.name];
            args.extend(set);
            args.extend(["--", "-D", "warnings"]);
            cargo(&args, &[])?;
            count += 1;
        }
    }
    eprintln!(
        "xtask: features: {count} feature sets of {} crates build",
        libraries.len()
    );
    Ok(())
}
