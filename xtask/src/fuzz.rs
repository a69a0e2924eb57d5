//! `cargo xtask fuzz <target> <seconds> [cargo-fuzz options]`: one cargo-fuzz target (or `all`
//! of them in turn) for a bounded time (issue 10).
//!
//! * Installs cargo-fuzz (`cargo install cargo-fuzz --locked`) when `cargo fuzz` is missing.
//! * Runs on the toolchain in use (stable is enough): cargo-fuzz passes nightly-only flags
//!   (`-Z sanitizer=address`, sancov passes), which `RUSTC_BOOTSTRAP=1` unlocks.
//! * Seeds `fuzz/corpus/<target>` (git-ignored) from the interop fixtures in
//!   `fixtures/interop`, and also reads the committed `fuzz/seeds/<target>`.
//! * Extra arguments go to `cargo fuzz run`, e.g. `--sanitizer none` (about twice as many
//!   executions per second, no memory-error detection).
//!
//! libFuzzer prints `Done N runs in S second(s)` at the end; a crash stops the run with the
//! reproducer in `fuzz/artifacts/<target>/` and a non-zero exit.

use std::{
    fs,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use crate::run::{command, Step};

/// Every fuzz target of `fuzz/fuzz_targets/`.
const TARGETS: [&str; 5] = [
    "jwks_verify",
    "claims",
    "jwks_document",
    "extract",
    "users_me_response",
];

/// Tokens longer than this are not used as seeds (they only slow the fuzzer down).
const MAX_SEED_LEN: usize = 4096;

/// Runs `cargo fuzz run <target> <corpus> <seeds> -- -max_total_time=<seconds>` in `fuzz/`.
pub(crate) fn run(args: &[String]) -> Result<(), Step> {
    let usage = || {
        Step(format!(
            "usage: cargo xtask fuzz <{}|all> <seconds> [cargo fuzz run options]",
            TARGETS.join("|")
        ))
    };
    let (Some(target), Some(seconds)) = (args.first(), args.get(1)) else {
        return Err(usage());
    };
    if seconds.parse::<u64>().is_err() {
        return Err(usage());
    }
    let targets: Vec<&str> = match target.as_str() {
        "all" => TARGETS.to_vec(),
        t if TARGETS.contains(&t) => vec![t],
        _ => return Err(usage()),
    };
    ensure_cargo_fuzz()?;
    let root = repo_root();
    for target in targets {
        run_one(&root, target, seconds, &args[2..])?;
    }
    Ok(())
}

fn run_one(root: &Path, target: &str, seconds: &str, extra: &[String]) -> Result<(), Step> {
    let fuzz_dir = root.join("fuzz");
    let corpus = fuzz_dir.join("corpus").join(target);
    let seeds = fuzz_dir.join("seeds").join(target);
    fs::create_dir_all(&corpus)
        .map_err(|e| Step(format!("creating {} ({e})", corpus.display())))?;
    let written = write_interop_seeds(root, target, &corpus);
    eprintln!("xtask: {written} interop seed(s) in {}", corpus.display());
    let (fuzz_dir, corpus, seeds) = (path(&fuzz_dir), path(&corpus), path(&seeds));
    let max_time = format!("-max_total_time={seconds}");
    let mut args = vec!["fuzz", "run", "--fuzz-dir", &fuzz_dir];
    args.extend(extra.iter().map(String::as_str));
    args.extend([target, &corpus]);
    if Path::new(&seeds).is_dir() {
        args.push(&seeds);
    }
    // A verification that takes 10 s is a hang: the code under test has 2-5 s deadlines.
    args.extend(["--", &max_time, "-timeout=10", "-print_final_stats=1"]);
    command("cargo", &args, &[("RUSTC_BOOTSTRAP", "1")])
}

/// Installs cargo-fuzz unless `cargo fuzz` already runs.
fn ensure_cargo_fuzz() -> Result<(), Step> {
    let present = Command::new("cargo")
        .args(["fuzz", "--version"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if present {
        return Ok(());
    }
    eprintln!("xtask: cargo-fuzz is missing; installing it");
    command("cargo", &["install", "cargo-fuzz", "--locked"], &[])
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}

fn path(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Writes seeds derived from `fixtures/interop` into `corpus`; returns how many (0 when the
/// fixtures are not there: the committed seeds still apply).
fn write_interop_seeds(root: &Path, target: &str, corpus: &Path) -> usize {
    let interop = root.join("fixtures/interop");
    let tokens = fs::read_to_string(interop.join("cases.json"))
        .map(|text| json_strings_of(&text, "token"))
        .unwrap_or_default();
    let tokens = tokens
        .iter()
        .filter(|t| !t.is_empty() && t.len() <= MAX_SEED_LEN);
    let seeds: Vec<Vec<u8>> = match target {
        "jwks_verify" => tokens.map(|t| t.clone().into_bytes()).collect(),
        "claims" => tokens
            .filter_map(|t| t.split('.').nth(1).and_then(base64url_decode))
            .collect(),
        "jwks_document" => jwks_files(&interop.join("jwks")),
        "extract" => tokens.flat_map(|t| header_seeds(t)).collect(),
        _ => Vec::new(),
    };
    seeds
        .iter()
        .enumerate()
        .filter(|(i, seed)| fs::write(corpus.join(format!("interop-{i:03}")), seed).is_ok())
        .count()
}

/// The `extract` target's input format: one `name: value` line per header, `0`-`3` standing
/// for the four token headers.
fn header_seeds(token: &str) -> Vec<Vec<u8>> {
    [
        format!("0{token}"),
        format!("1Bearer {token}"),
        format!("2{{\"accessToken\":\"{token}\",\"refreshToken\":\"r\"}}"),
        format!("3a=b; stack-access=%5B%22r%22%2C%22{token}%22%5D"),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect()
}

fn jwks_files(dir: &Path) -> Vec<Vec<u8>> {
    let Ok(projects) = fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for project in projects.flatten() {
        let Ok(files) = fs::read_dir(project.path()) else {
            continue;
        };
        out.extend(files.flatten().filter_map(|f| fs::read(f.path()).ok()));
    }
    out
}

/// The values of every `"key": "<string>"` in a JSON text (enough for the fixtures' tokens,
/// which have no escapes; escaped ones are taken raw, which is still a fine seed).
fn json_strings_of(text: &str, key: &str) -> Vec<String> {
    let needle = format!("\"{key}\"");
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(&needle) {
        rest = rest[at + needle.len()..].trim_start();
        let Some(after_colon) = rest.strip_prefix(':') else {
            continue;
        };
        let Some(value) = after_colon.trim_start().strip_prefix('"') else {
            continue;
        };
        let end = value.find('"').unwrap_or(value.len());
        out.push(value[..end].to_owned());
        rest = &value[end..];
    }
    out
}

/// Decodes unpadded base64url; `None` on any other character.
fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_token_strings() {
        let text = r#"{"cases":[{"token": "a.b.c"},{"name":"x","token":""},{"token":"d"}]}"#;
        assert_eq!(json_strings_of(text, "token"), ["a.b.c", "", "d"]);
    }

    #[test]
    fn decodes_base64url() {
        assert_eq!(base64url_decode("eyJhIjoxfQ").unwrap(), br#"{"a":1}"#);
        assert_eq!(base64url_decode("_-8").unwrap(), [0xff, 0xef]);
        assert!(base64url_decode("a=b").is_none());
    }
}
