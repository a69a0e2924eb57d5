//! `cargo xtask msrv`: the `rust-version` the published crates claim is at least every
//! `rust-version` their dependencies declare in `Cargo.lock` (all features, every platform,
//! normal and build dependencies; dev-dependencies do not reach users).
//!
//! Only one toolchain is installed where this runs, so the claim cannot be proven by building
//! with the claimed version; this check and clippy's `incompatible_msrv` lint (which flags
//! standard-library items newer than `rust-version`) are what keeps it honest. Language
//! features newer than the claim would still slip through; see README.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use crate::{metadata, run::Step};

/// Checks the claim against the locked dependency graph.
pub(crate) fn check() -> Result<(), Step> {
    let meta = metadata::read(&["--all-features", "--locked"])?;
    let published = metadata::published_in(&meta);
    let claims: BTreeMap<_, _> = published
        .iter()
        .map(|p| (p.rust_version.as_deref().unwrap_or("(none)"), &p.name))
        .collect();
    let [(claim, _)] = claims.into_iter().collect::<Vec<_>>()[..] else {
        return Err(Step(
            "msrv: the published crates must share one rust-version (inherit the workspace's)"
                .to_owned(),
        ));
    };
    let claimed =
        parse(claim).ok_or_else(|| Step(format!("msrv: unreadable rust-version {claim}")))?;
    let names: Vec<&str> = published.iter().map(|p| p.name.as_str()).collect();
    let needs = dependency_needs(&meta, &names);
    let Some((highest, who)) = needs.iter().max_by_key(|(v, _)| *v) else {
        return Err(Step(
            "msrv: no dependency declares a rust-version".to_owned(),
        ));
    };
    let too_new: Vec<String> = needs
        .iter()
        .filter(|(v, _)| *v > claimed)
        .map(|(v, who)| format!("{who} needs {}.{}.{}", v.0, v.1, v.2))
        .collect();
    if too_new.is_empty() {
        eprintln!(
            "xtask: msrv: rust-version {claim} covers every dependency (highest: {who} needs {}.{})",
            highest.0, highest.1
        );
        Ok(())
    } else {
        for line in &too_new {
            eprintln!("xtask: msrv: {line}, above rust-version {claim}");
        }
        Err(Step(format!("msrv (rust-version {claim} is too low)")))
    }
}

/// A version `1.89` or `1.89.0` as (major, minor, patch).
fn parse(version: &str) -> Option<(u64, u64, u64)> {
    let mut parts = version.split('.').map(str::parse::<u64>);
    let major = parts.next()?.ok()?;
    let minor = parts.next().unwrap_or(Ok(0)).ok()?;
    let patch = parts.next().unwrap_or(Ok(0)).ok()?;
    Some((major, minor, patch))
}

/// The declared `rust-version` of every package the `roots` reach through normal or build
/// dependencies, with the package's `name version`.
fn dependency_needs(meta: &Value, roots: &[&str]) -> Vec<((u64, u64, u64), String)> {
    let packages: HashMap<&str, &Value> = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| Some((p["id"].as_str()?, p)))
        .collect();
    let nodes: HashMap<&str, &Value> = meta["resolve"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|n| Some((n["id"].as_str()?, n)))
        .collect();
    let members = metadata::members(meta);
    let mut stack: Vec<&str> = packages
        .iter()
        .filter(|(_, p)| p["name"].as_str().is_some_and(|n| roots.contains(&n)))
        .map(|(id, _)| *id)
        .collect();
    let mut seen: HashSet<&str> = stack.iter().copied().collect();
    let mut needs = Vec::new();
    while let Some(id) = stack.pop() {
        let Some(package) = packages.get(id) else {
            continue;
        };
        if !members.contains(id) {
            if let Some(v) = package["rust_version"].as_str().and_then(parse) {
                let name = package["name"].as_str().unwrap_or_default();
                let version = package["version"].as_str().unwrap_or_default();
                needs.push((v, format!("{name} {version}")));
            }
        }
        let deps = nodes.get(id).and_then(|n| n["deps"].as_array());
        for dep in deps.into_iter().flatten() {
            let reaches_users = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|k| k["kind"].as_str() != Some("dev"));
            if let Some(next) = dep["pkg"].as_str() {
                if reaches_users && seen.insert(next) {
                    stack.push(next);
                }
            }
        }
    }
    needs
}
