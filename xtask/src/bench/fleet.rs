//! The fleet end to end (`cargo bench -p stack-auth-benchmarks --bench fleet`, run by
//! `cargo xtask bench --redis` after the Redis bench): requests to Stack Auth for a fleet, the
//! cost of each path of a verification, the eviction delay across instances through a webhook,
//! and the extra latency while Redis hangs or is down. Rendered as a subsection of "Redis".

use std::{fmt::Write as _, time::SystemTime};

use serde_json::Value;

use super::{format::time, measured::read_fresh, Paths, RESULTS_DIR_ENV};
use crate::run::{cargo, Step};

/// Runs the bench and reads its results.
pub(crate) fn run(paths: &Paths) -> Result<Value, Step> {
    let started = SystemTime::now();
    let results = paths.results();
    let dir = results.to_string_lossy().into_owned();
    cargo(
        &["bench", "-p", "stack-auth-benchmarks", "--bench", "fleet"],
        &[(RESULTS_DIR_ENV, dir.as_str())],
    )?;
    read_fresh(&results.join("fleet.json"), started)
}

/// A latency summary's `key` (microseconds in the JSON) as text.
fn us(summary: &Value, key: &str) -> String {
    time(summary[key].as_f64().unwrap_or(f64::NAN) * 1e3)
}

/// "p50 **a**, p99 **b**, max c" of a latency summary.
fn distribution(summary: &Value) -> String {
    format!(
        "p50 **{}**, p99 **{}**, max {}",
        us(summary, "median_us"),
        us(summary, "p99_us"),
        us(summary, "max_us")
    )
}

/// "median / p99" of a latency summary.
fn cell(summary: &Value) -> String {
    format!("{} / {}", us(summary, "median_us"), us(summary, "p99_us"))
}

/// The subsection for the results of one run.
pub(crate) fn render(fleet: &Value) -> String {
    let mut out = String::new();
    let quick = if fleet["quick"].as_bool() == Some(true) {
        " **A quick run** (`STACK_AUTH_BENCH_QUICK=1`, a tenth of the samples): a check that \
         the bench works, not numbers to rely on."
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "### The fleet, end to end\n\n\
         `cargo bench -p stack-auth-benchmarks --bench fleet`: each instance is a set of \
         verifiers with in-process caches and Redis connections of its own, standing for one \
         process; Stack Auth is the local stand-in, Redis a local `redis-server`, both on \
         loopback.{quick}\n"
    );
    let r = &fleet["requests"];
    let _ = writeln!(
        out,
        "**Requests to Stack Auth**: {} distinct tokens verified on each of {} instances (the \
         composite) cost **{}** users/me requests without the shared cache and **{}** with it.\n",
        r["tokens"],
        r["instances"],
        r["users_me_without_shared_cache"],
        r["users_me_with_shared_cache"]
    );
    let _ = writeln!(
        out,
        "Each column is one path of a verification. *In-process hit*: the same token again on a \
         warm instance (its own cache). *Shared hit*: the first verification of a token on a \
         fresh instance, another instance having verified it: one Redis read of the token's \
         profile and refusal entries (at once), the answer copied into the process; the \
         composite also checks the signature and reads the fleet's deleted users and ended \
         sessions. *Stack Auth asked*: no token cache, no shared cache: users/me over loopback \
         (the composite also checks the signature).\n"
    );
    let _ = writeln!(
        out,
        "| one verification, median / p99 | in-process hit | shared hit (only in Redis) | Stack Auth asked |\n|---|---|---|---|"
    );
    for (name, key) in [
        ("`RestVerifier`", "rest"),
        ("composite (JWKS + REST)", "composite"),
    ] {
        let p = &fleet[key];
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} |",
            cell(&p["in_process_hit"]),
            cell(&p["shared_hit"]),
            cell(&p["upstream"])
        );
    }
    let w = &fleet["webhook_propagation"];
    let _ = writeln!(
        out,
        "\n**Eviction across instances** over {} `user.deleted` webhooks posted to instance A, \
         one at a time: instance B's hub has the eviction after {}; B refuses the user's cached \
         token after {}; A acknowledges the delivery after {}.\n",
        w["deliveries"],
        distribution(&w["heard_by_b"]),
        distribution(&w["refused_by_b"]),
        distribution(&w["acknowledged_by_a"])
    );
    let o = &fleet["outage"];
    let _ = writeln!(
        out,
        "**Redis hanging or down**: verifications that miss the process's own cache (a fresh \
         token each, so Stack Auth is asked), the shared cache at its defaults ({} ms per \
         operation, a breaker opening after 5 failures for 5 s). Until the breaker opens, a \
         verification waits out the timeout of each Redis operation it makes (the composite \
         makes up to three in a row: the deny set read, the profile read, the store); after \
         that Redis is skipped and the verification costs what it costs without a shared \
         cache.\n\n\
         | composite | p50 | p99 | max | Redis operations timed out / failed / skipped |\n\
         |---|---|---|---|---|",
        o["operation_timeout_ms"]
    );
    let alone = &o["without_shared_cache"];
    let _ = writeln!(
        out,
        "| without a shared cache | {} | {} | {} | – |",
        us(alone, "median_us"),
        us(alone, "p99_us"),
        us(alone, "max_us")
    );
    for (name, key) in [
        ("Redis hanging (`SIGSTOP`)", "redis_hanging"),
        ("Redis down (killed)", "redis_down"),
    ] {
        let d = &o[key];
        let l = &d["latency"];
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} / {} / {} |",
            us(l, "median_us"),
            us(l, "p99_us"),
            us(l, "max_us"),
            d["timeouts"],
            d["errors"],
            d["skipped"]
        );
    }
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_paths_propagation_and_outage() {
        let s = |m: f64| serde_json::json!({ "median_us": m, "p99_us": m * 2.0, "max_us": m * 3.0, "n": 10 });
        let fleet = serde_json::json!({
            "quick": true,
            "requests": { "instances": 4, "tokens": 25, "users_me_without_shared_cache": 100, "users_me_with_shared_cache": 25 },
            "rest": { "in_process_hit": s(3.0), "shared_hit": s(160.0), "upstream": s(540.0) },
            "composite": { "in_process_hit": s(4.0), "shared_hit": s(250.0), "upstream": s(600.0) },
            "webhook_propagation": { "deliveries": 30, "heard_by_b": s(180.0), "refused_by_b": s(190.0), "acknowledged_by_a": s(130.0) },
            "outage": {
                "operation_timeout_ms": 50,
                "without_shared_cache": s(600.0),
                "redis_hanging": { "latency": s(700.0), "timeouts": 5, "errors": 0, "skipped": 495 },
                "redis_down": { "latency": s(690.0), "timeouts": 0, "errors": 5, "skipped": 495 },
            },
        });
        let text = render(&fleet);
        assert!(text.starts_with("### The fleet, end to end\n\n"), "{text}");
        assert!(text.contains("A quick run"), "{text}");
        assert!(
            text.contains("**100** users/me requests without the shared cache and **25** with it"),
            "{text}"
        );
        assert!(text.contains("| `RestVerifier` | 3.00 µs / 6.00 µs | 160.00 µs / 320.00 µs | 540.00 µs / 1.08 ms |"), "{text}");
        assert!(
            text.contains("after p50 **180.00 µs**, p99 **360.00 µs**, max 540.00 µs"),
            "{text}"
        );
        assert!(
            text.contains(
                "| Redis hanging (`SIGSTOP`) | 700.00 µs | 1.40 ms | 2.10 ms | 5 / 0 / 495 |"
            ),
            "{text}"
        );
        assert!(text.contains("(50 ms per operation"), "{text}");
        let full = render(&serde_json::json!({ "quick": false }));
        assert!(!full.contains("A quick run"));
    }
}
