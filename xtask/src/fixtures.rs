//! `cargo xtask fixtures`: the repository's copies of the interop fixtures must be byte-identical
//! to the originals in `../shared` when that directory is beside the repository.
//!
//! A clone of the repository alone has no `../shared`; then there is nothing to compare and the
//! check passes, so the tests (which read only `fixtures/`) still run.

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

use crate::run::Step;

/// The fixture sets the repository keeps, each copied from `../shared/<name>`.
const SETS: &[&str] = &["interop", "interop-brand"];

/// Compares every fixture set with its original; a missing `../shared` is not an error.
pub(crate) fn check(root: &Path) -> Result<(), Step> {
    let shared = root.join("../shared");
    let mut problems = Vec::new();
    for set in SETS {
        let original = shared.join(set);
        let copy = root.join("fixtures").join(set);
        if !copy.is_dir() {
            problems.push(format!("fixtures/{set} is missing"));
            continue;
        }
        if !original.is_dir() {
            eprintln!("xtask: ../shared/{set} is not here; fixtures/{set} not compared");
            continue;
        }
        compare(&original, &copy, &mut problems);
        eprintln!("xtask: fixtures/{set} compared with ../shared/{set}");
    }
    if problems.is_empty() {
        Ok(())
    } else {
        for p in &problems {
            eprintln!("xtask: fixture drift: {p}");
        }
        Err(Step("fixtures (copies differ from ../shared)".to_owned()))
    }
}

/// Records every file that exists on one side only or differs in content.
fn compare(original: &Path, copy: &Path, problems: &mut Vec<String>) {
    let (a, b) = (files(original), files(copy));
    for rel in a.union(&b) {
        let (x, y) = (original.join(rel), copy.join(rel));
        match (fs::read(&x), fs::read(&y)) {
            (Ok(x), Ok(y)) if x == y => {}
            (Ok(_), Ok(_)) => problems.push(format!("{} differs", y.display())),
            (Err(_), _) => problems.push(format!("{} is not in ../shared", y.display())),
            (_, Err(_)) => problems.push(format!("{} is missing", y.display())),
        }
    }
}

/// Every file below `dir`, as paths relative to it.
fn files(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = fs::read_dir(&d) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(dir) {
                out.insert(rel.to_path_buf());
            }
        }
    }
    out
}
