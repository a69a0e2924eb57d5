//! The "Revocation" section: what the revocation check costs a verification, and how soon a
//! webhook delivery turns into a refused request (`benchmarks/benches/revocation.rs`); then the
//! session check's cost and delay (its `session_check` member).

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
    paired_rows(
        out,
        &n,
        &[
            ("/paired_token_cache_hit", "token-cache hit"),
            ("/paired_warm", "full verification, token cache off"),
        ],
    );
    let _ = writeln!(
        out,
        "\nFrom a webhook delivery to the first refused request, on a warm axum server over \
         loopback (`StackWebhook` evicting into the server's `JwksVerifier`; the deleted user's \
         token in its verified-token cache): the client posts a signed `user.deleted` delivery, \
         then asks a `StackUser` route with that token; timed from the start of the post to \
         the 401.\n\n\
         | | median | p99 | max | samples |\n|---|---|---|---|---|"
    );
    latency_rows(
        out,
        &n,
        &[
            ("/delivery_to_refusal", "delivery → first refused request"),
            (
                "/delivery_acknowledged",
                "the delivery alone (until its 200)",
            ),
            (
                "/authenticated_request",
                "an authenticated request, cached token (the loopback floor)",
            ),
        ],
    );
    let _ = writeln!(
        out,
        "\nThe session check (`SessionChecked` with `stack_auth_rest::Sessions`, the session's \
         answer cached), interleaved against the same verifier without it:\n\n\
         | verification | without the check | with it | ratio |\n|---|---|---|---|"
    );
    paired_rows(
        out,
        &n,
        &[
            (
                "/session_check/paired_jwks_token_cache_hit",
                "`JwksVerifier`, token-cache hit",
            ),
            (
                "/session_check/paired_composite_token_cache_hit",
                "`CompositeVerifier`, warm (token and profile cached)",
            ),
        ],
    );
    let _ = writeln!(
        out,
        "\n| | median | p99 | max | samples |\n|---|---|---|---|---|"
    );
    latency_rows(
        out,
        &n,
        &[
            (
                "/session_check/miss",
                "a check not cached (JWKS hit + one session-list request over loopback)",
            ),
            (
                "/session_check/session_ended_to_refusal",
                "`Eviction::SessionEnded` told to the checker → first refused verification",
            ),
        ],
    );
    out.push('\n');
}

/// One row per interleaved pair `(pointer, name)`: both medians and the ratio (b over a).
fn paired_rows(out: &mut String, n: &dyn Fn(&str) -> f64, rows: &[(&str, &str)]) {
    for (key, name) in rows {
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} |",
            time(n(&format!("{key}/a_ns"))),
            time(n(&format!("{key}/b_ns"))),
            fmt_ratio(1.0 / n(&format!("{key}/ratio"))),
        );
    }
}

/// One row per latency summary `(pointer, name)`: median, p99, max and the sample count.
fn latency_rows(out: &mut String, n: &dyn Fn(&str) -> f64, rows: &[(&str, &str)]) {
    for (key, name) in rows {
        let us = |field: &str| time(n(&format!("{key}/{field}")) * 1e3);
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            us("median_us"),
            us("p99_us"),
            us("max_us"),
            count(n(&format!("{key}/n"))),
        );
    }
}
