//! The "Revocation" section: what the revocation check costs a verification, and how soon a
//! webhook delivery turns into a refused request (`benchmarks/benches/revocation.rs`).

use std::fmt::Write as _;

use super::{
    format::{count, fmt_ratio, time},
    measured::Measured,
};

/// Renders the section from `revocation.json`.
pub(crate) fn render(out: &mut String, m: &Measured) {
    let n = |pointer: &str| m.number("revocation", pointer);
    let _ = writeln!(
        out,
        "## Revocation\n\n\
         The `JwksVerifier`'s revocation check (users deleted and sessions ended it was told \
         about, checked on every verification) with an empty set against one holding {} \
         deleted users and {} ended sessions, none of them the token's, measured interleaved \
         (median per call, and the median of the per-pair ratios):\n\n\
         | path | empty set | {} revocations | ratio |\n|---|---|---|---|",
        count(n("/revoked_users")),
        count(n("/ended_sessions")),
        count(n("/revoked_users") + n("/ended_sessions")),
    );
    for (key, name) in [
        ("paired_token_cache_hit", "token-cache hit"),
        ("paired_warm", "full verification, token cache off"),
    ] {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} |",
            time(n(&format!("/{key}/a_ns"))),
            time(n(&format!("/{key}/b_ns"))),
            fmt_ratio(1.0 / n(&format!("/{key}/ratio"))),
        );
    }
    let _ = writeln!(
        out,
        "\nFrom a webhook delivery to the first refused request, on a warm axum server over \
         loopback (`StackWebhook` evicting into the server's `JwksVerifier`; the deleted user's \
         token in its verified-token cache): the client posts a signed `user.deleted` delivery, \
         then asks a `StackUser` route with that token; timed from the start of the post to \
         the 401.\n\n\
         | | median | p99 | max | samples |\n|---|---|---|---|---|"
    );
    for (key, name) in [
        ("delivery_to_refusal", "delivery → first refused request"),
        (
            "delivery_acknowledged",
            "the delivery alone (until its 200)",
        ),
        (
            "authenticated_request",
            "an authenticated request, cached token (the loopback floor)",
        ),
    ] {
        let us = |field: &str| time(n(&format!("/{key}/{field}")) * 1e3);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            us("median_us"),
            us("p99_us"),
            us("max_us"),
            count(n(&format!("/{key}/n"))),
        );
    }
    out.push('\n');
}
