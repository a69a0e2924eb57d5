//! What `cargo metadata` says about the workspace: its members, which of them are published,
//! and their features.

use std::{collections::HashSet, process::Command};

use serde_json::Value;

use crate::run::Step;

/// A workspace member meant for crates.io (its manifest does not say `publish = false`).
#[derive(Debug)]
pub(crate) struct Published {
    /// The package name.
    pub(crate) name: String,
    /// Whether it has a library target (the CLI has none).
    pub(crate) is_library: bool,
    /// Its features other than `default`, in manifest order of names.
    pub(crate) features: Vec<String>,
    /// Its `rust-version`, as written (`1.89`).
    pub(crate) rust_version: Option<String>,
}

/// Runs `cargo metadata --format-version 1 <extra>` from the workspace root and parses it.
pub(crate) fn read(extra: &[&str]) -> Result<Value, Step> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let shown = format!("{cargo} metadata {}", extra.join(" "));
    let output = Command::new(&cargo)
        .args(["metadata", "--format-version", "1"])
        .args(extra)
        .current_dir(crate::root())
        .output()
        .map_err(|e| Step(format!("{shown} ({e})")))?;
    if !output.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&output.stderr));
        return Err(Step(shown));
    }
    serde_json::from_slice(&output.stdout).map_err(|e| Step(format!("{shown}: {e}")))
}

/// The workspace members meant for crates.io, sorted by name.
pub(crate) fn published() -> Result<Vec<Published>, Step> {
    let meta = read(&["--no-deps", "--locked"])?;
    Ok(published_in(&meta))
}

/// The package ids of the workspace members in `meta` (a `cargo metadata` document).
pub(crate) fn members(meta: &Value) -> HashSet<&str> {
    meta["workspace_members"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The members of `meta` meant for crates.io, sorted by name.
pub(crate) fn published_in(meta: &Value) -> Vec<Published> {
    let members = members(meta);
    let mut out: Vec<Published> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["id"].as_str().is_some_and(|id| members.contains(&id)))
        // `publish = false` is an empty registry list; no `publish` key is null.
        .filter(|p| p["publish"].as_array().is_none_or(|r| !r.is_empty()))
        .map(|p| Published {
            name: p["name"].as_str().unwrap_or_default().to_owned(),
            is_library: p["targets"].as_array().into_iter().flatten().any(|t| {
                t["kind"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .any(|k| k == "lib")
            }),
            features: p["features"]
                .as_object()
                .into_iter()
                .flat_map(|f| f.keys())
                .filter(|f| *f != "default")
                .cloned()
                .collect(),
            rust_version: p["rust_version"].as_str().map(str::to_owned),
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}
