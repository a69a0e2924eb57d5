//! Tail latency under change: server (2), with short key set lifetimes so refreshes happen
//! while it is measured, under constant load in back-to-back windows while the stand-in
//! switches its signing key, replaces its keys, and answers its JWKS late; each window's
//! latencies and the server's fetch counters, against the calm window before.

use serde_json::Value;

use super::{
    model::{Tail, Window},
    probe,
    session::{tokens, write_tokens, Session},
    wrk::LoadSpec,
};
use crate::run::Step;

/// How late the JWKS answers in the slow window (ms): past the server's 2 s fetch timeout.
pub(crate) const SLOW_JWKS_MS: u64 = 3_000;

/// One window: its name, what changes at its start (and the stand-in command that does it),
/// and the calm window it is judged against.
struct Plan {
    name: &'static str,
    change: &'static str,
    command: Option<&'static str>,
    baseline: Option<usize>,
}

const PLANS: [Plan; 6] = [
    Plan {
        name: "calm",
        change: "nothing (the key set is refreshed in the background about every 2 s)",
        command: None,
        baseline: None,
    },
    Plan {
        name: "signing key switched",
        change: "the stand-in signs with its other published key (Stack Auth's planned \
                 flip, PROTOCOL §1.7); the load switches to tokens signed by it",
        command: Some("switch-signing-key"),
        baseline: Some(0),
    },
    Plan {
        name: "keys replaced",
        change: "a new server secret: every `kid` is new and the old keys leave the JWKS; \
                 the load switches to tokens of the new keys",
        command: Some("replace-keys"),
        baseline: Some(0),
    },
    Plan {
        name: "calm again",
        change: "nothing",
        command: None,
        baseline: None,
    },
    Plan {
        name: "JWKS slow",
        change: "the JWKS answers late, past the fetch timeout: every refresh fails",
        command: Some("slow-jwks"),
        baseline: Some(3),
    },
    Plan {
        name: "JWKS recovered",
        change: "the JWKS answers at once again",
        command: Some("calm"),
        baseline: Some(3),
    },
];

/// Runs the scenario with windows of `seconds`.
pub(crate) fn run(session: &mut Session, seconds: u32) -> Result<Tail, Step> {
    let (server, addr, _) = session.start_server(Some("jwks-tail"))?;
    session.check_and_warm(&addr, true)?;
    let mut before = probe::get_json(&addr, "/_stats")?;
    let timings = &before["tail_timings_ms"];
    let timeout_ms = timings["timeout"]
        .as_u64()
        .ok_or_else(|| Step(format!("the tail server reports no timeout: {before}")))?;
    let timings = describe(timings);
    let spec = LoadSpec {
        seconds,
        ..session.spec
    };
    let mut tokens_file = session.tokens_file.clone();
    let mut windows = Vec::new();
    for (i, plan) in PLANS.iter().enumerate() {
        if let Some(command) = plan.command {
            let command = match command {
                "slow-jwks" => format!("slow-jwks {SLOW_JWKS_MS}"),
                other => other.to_owned(),
            };
            let answer = session.stand_in.ask(&command)?;
            if let Some(new_tokens) = answer.get("tokens") {
                tokens_file = session.dir.join(format!("tokens-{i}.txt"));
                write_tokens(&tokens_file, &tokens(new_tokens)?)?;
            }
        }
        eprintln!("xtask: tail window {i}: {}", plan.name);
        let load = session.load(&addr, spec, &tokens_file)?;
        let after = probe::get_json(&addr, "/_stats")?;
        windows.push(window(plan, load, &before, &after));
        before = after;
    }
    session.stand_in.ask("calm")?;
    drop(server);
    Ok(Tail {
        windows,
        timeout_ms,
        timings,
        slow_ms: SLOW_JWKS_MS,
    })
}

/// A window's numbers: its load, and the server's counters between two `/_stats` reads.
fn window(plan: &Plan, load: super::wrk::Load, before: &Value, after: &Value) -> Window {
    let delta = |pointer: &str| {
        let n = |v: &Value| v.pointer(pointer).and_then(Value::as_u64).unwrap_or(0);
        n(after).saturating_sub(n(before))
    };
    Window {
        name: plan.name,
        change: plan.change,
        baseline: plan.baseline,
        load,
        fetches: delta("/jwks/fetches"),
        failed_fetches: delta("/jwks/failed_fetches"),
        unknown_kid_refetches: delta("/jwks/unknown_kid_refetches"),
        verifications: delta("/waits/verifications"),
        waited: delta("/waits/waited"),
        longest_wait_ms: after
            .pointer("/waits/longest_wait_ms")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        stale: delta("/waits/stale"),
    }
}

/// `max_ttl 3 s, refresh_ahead 1 s, ...` from the server's timings in milliseconds.
fn describe(timings: &Value) -> String {
    let Some(map) = timings.as_object() else {
        return "unknown".to_owned();
    };
    map.iter()
        .map(|(name, ms)| {
            let ms = ms.as_u64().unwrap_or(0);
            format!("`{name}` {} s", ms as f64 / 1000.0)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::bench::http::wrk::Load;

    #[test]
    fn a_window_counts_what_happened_between_two_reads() {
        let before = json!({"jwks": {"fetches": 4, "failed_fetches": 0, "unknown_kid_refetches": 1},
                            "waits": {"verifications": 100, "waited": 2, "longest_wait_ms": 0, "stale": 0}});
        let after = json!({"jwks": {"fetches": 7, "failed_fetches": 2, "unknown_kid_refetches": 1},
                           "waits": {"verifications": 900, "waited": 2, "longest_wait_ms": 0, "stale": 350}});
        let load = Load {
            requests: 800,
            duration_us: 1_000_000,
            socket_errors: 0,
            non_2xx: 0,
            timeouts: 0,
            mean_us: 1.0,
            p50_us: 1,
            p90_us: 1,
            p99_us: 1,
            max_us: 1,
        };
        let w = window(&PLANS[4], load, &before, &after);
        assert_eq!(
            (w.fetches, w.failed_fetches, w.unknown_kid_refetches),
            (3, 2, 0)
        );
        assert_eq!((w.verifications, w.waited, w.stale), (800, 0, 350));
        assert_eq!((w.name, w.baseline), ("JWKS slow", Some(3)));
    }

    #[test]
    fn every_changing_window_is_judged_against_an_earlier_calm_one() {
        for (i, plan) in PLANS.iter().enumerate() {
            if let Some(b) = plan.baseline {
                assert!(b < i && PLANS[b].baseline.is_none(), "{}", plan.name);
            }
        }
        assert_eq!(
            describe(&json!({"max_ttl": 3000, "timeout": 2500})),
            "`max_ttl` 3 s, `timeout` 2.5 s"
        );
    }
}
