//! What the fuzz targets share: the interop fixtures (read from the repository's `fixtures/interop`, never
//! copied) and a current-thread Tokio runtime.
#![allow(dead_code)]

use std::{path::PathBuf, sync::OnceLock};

use serde_json::Value;

/// 2026-01-01T00:00:00Z: after the fixtures' `iat`, before their `exp` (2100).
pub const NOW: u64 = 1_767_225_600;

/// The repository's `fixtures/interop`.
pub fn interop_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/interop"))
}

/// `cases.json`, parsed once.
pub fn cases() -> &'static Value {
    static CASES: OnceLock<Value> = OnceLock::new();
    CASES.get_or_init(|| {
        let text = std::fs::read_to_string(interop_dir().join("cases.json"))
            .expect("the interop fixtures must be at fixtures/interop");
        serde_json::from_str(&text).expect("cases.json is JSON")
    })
}

/// The project the fixtures' verifier is configured for.
pub fn project_id() -> &'static str {
    cases()["project_id"].as_str().expect("project_id")
}

/// The deployment that minted the fixtures' tokens.
pub fn base_url() -> &'static str {
    cases()["base_url"].as_str().expect("base_url")
}

/// Every case as `(name, token, expect)`.
pub fn all_cases() -> impl Iterator<Item = (&'static str, &'static str, &'static Value)> {
    cases()["cases"].as_array().expect("cases").iter().map(|c| {
        (
            c["name"].as_str().expect("name"),
            c["token"].as_str().expect("token"),
            &c["expect"],
        )
    })
}

/// The full key set (`?include_anonymous=true`) of `project_id`, as the JWKS endpoint sends it.
pub fn full_jwks(project_id: &str) -> String {
    let path = interop_dir()
        .join("jwks")
        .join(project_id)
        .join("jwks.json@include_anonymous=true");
    std::fs::read_to_string(path).expect("interop JWKS")
}

/// A current-thread runtime with timers and I/O, built once.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("tokio runtime")
    })
}

/// Whether `shown` (a Debug or Display rendering) contains `secret`. Only meaningful for
/// inputs long enough not to occur in fixed texts by chance.
pub fn leaks(shown: &str, secret: &str) -> bool {
    secret.len() >= 24 && shown.contains(secret)
}

/// Display, Debug and every `source()` of an error, joined.
pub fn render_error(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = format!("{e} {e:?}");
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(&format!(" | {s} {s:?}"));
        source = s.source();
    }
    out
}
