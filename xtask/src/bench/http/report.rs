//! The "HTTP" section of `BENCHMARKS.md`, and putting it in place in an existing file.

use std::fmt::Write as _;

use super::model::{mean, HttpRun, Server, Tail, Window, AUTH_COST_GOAL, RATIOS, TAIL_P99_GOAL};
use crate::bench::{
    format::{count, fmt_ratio, time, Goal},
    section,
};

/// The heading the section starts with.
pub(crate) const HEADING: &str = "## HTTP";

/// Renders the section.
pub(crate) fn render(run: &HttpRun) -> String {
    let mut out = String::new();
    intro(&mut out, run);
    servers(&mut out, run);
    ratios(&mut out, run);
    auth_cost(&mut out, run);
    tail(&mut out, &run.tail, run);
    out.push_str(include_str!("method.md"));
    out
}

fn intro(out: &mut String, run: &HttpRun) {
    let locked: Vec<String> = run.locked.iter().map(|(n, v)| format!("{n} {v}")).collect();
    let _ = writeln!(
        out,
        "{HEADING}\n\n\
         Authenticated HTTP requests per second, as a user's server answers them. Measured by \
         `{}` on {} (commit {}; {}), load average {} before and {} after (the machine is \
         shared with other work).\n\n\
         | | |\n|---|---|\n\
         | load generator | {}, {} connections, 1 thread, {} s per server after a {} s warm-up |\n\
         | CPUs | {} |\n\
         | crates (Cargo.lock) | {} |\n\
         | peer | {} |\n",
        run.command,
        run.date,
        run.commit,
        run.cpu,
        run.load_before,
        run.load_after,
        run.wrk_version,
        run.spec.connections,
        run.spec.seconds,
        run.warmup_seconds,
        run.pinning,
        locked.join(", "),
        run.node,
    );
}

/// A latency in microseconds, in the unit that reads best.
fn us(v: u64) -> String {
    time(v as f64 * 1e3)
}

fn servers(out: &mut String, run: &HttpRun) {
    let _ = writeln!(
        out,
        "| server | requests/s | p50 | p90 | p99 | max | server CPU (*) | wrk CPU (*) | non-2xx |\n\
         |---|---|---|---|---|---|---|---|---|"
    );
    for r in &run.servers {
        let name = format!("({}) {}", r.server.number(), r.server.label());
        match &r.outcome {
            Ok(m) => {
                let l = &m.load;
                let busy = |b: Option<f64>| {
                    b.map_or_else(|| "?".to_owned(), |b| format!("{:.0}%", b * 100.0))
                };
                let _ = writeln!(
                    out,
                    "| {name} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    count(l.rate()),
                    us(l.p50_us),
                    us(l.p90_us),
                    us(l.p99_us),
                    us(l.max_us),
                    busy(m.cpu_busy),
                    busy(m.wrk_busy),
                    count(l.non_2xx as f64),
                );
            }
            Err(why) => {
                let _ = writeln!(out, "| {name} | not measured: {why} | | | | | | | |");
            }
        }
    }
    let calls = run
        .measured(Server::Composite)
        .and_then(|m| m.users_me_calls)
        .map_or_else(|| "?".to_owned(), |c| count(c as f64));
    let _ = writeln!(
        out,
        "\n(*) CPU time the process used over the measured run / the run's wall time. A server \
         near 100% was the bottleneck; a server well below it waited for the load generator \
         (wrk near 100%) or for other work on its CPU. The composite made {calls} users/me \
         calls while measured.\n"
    );
}

fn ratios(out: &mut String, run: &HttpRun) {
    let _ = writeln!(
        out,
        "| requests/s, same run | ratio | goal | met? |\n|---|---|---|---|"
    );
    for (a, b, goal) in RATIOS {
        let ratio = run.rate(a) / run.rate(b);
        let _ = writeln!(
            out,
            "| ({}) / ({}) | {} | {} | {} |",
            a.number(),
            b.number(),
            fmt_ratio(ratio),
            goal.text(),
            goal.met(ratio)
        );
    }
    out.push('\n');
}

fn auth_cost(out: &mut String, run: &HttpRun) {
    let c = run.auth_cost();
    let checks: Vec<String> = run.checks.ecdsa_ns.iter().map(|ns| time(*ns)).collect();
    let _ = writeln!(
        out,
        "**Auth cost per request**, (3) against (1): 1/rate(3) − 1/rate(1) = 1/{} s − 1/{} s \
         = {} − {} = **{}**. The ECDSA P-256 check alone (aws-lc-rs `verify_sig` on the same \
         token, on the server's CPU, in this run): {} (measured before and after (1) and (3)), \
         mean **{}**; the warm `JwksVerifier` alone, token cache off: {}. Auth cost / ECDSA \
         check = {} / {} = **{}** (goal {}: {}).\n",
        count(run.rate(Server::JwksNoCache)),
        count(run.rate(Server::Plain)),
        time(c.no_cache_ns),
        time(c.plain_ns),
        time(c.cost_ns),
        checks.join(" and "),
        time(c.ecdsa_ns),
        time(mean(&run.checks.verifier_ns)),
        time(c.cost_ns),
        time(c.ecdsa_ns),
        fmt_ratio(c.ratio),
        AUTH_COST_GOAL.text(),
        AUTH_COST_GOAL.met(c.ratio),
    );
}

fn tail(out: &mut String, t: &Tail, run: &HttpRun) {
    let timeout = seconds(t.timeout_ms);
    let _ = writeln!(
        out,
        "### Tail latency while keys rotate and the JWKS is slow\n\n\
         Server (2) with short key set lifetimes ({}), so its key set is refreshed in the \
         background while measured, under the same load ({} connections) in back-to-back \
         windows of {} s; the stand-in changes at the start of a window. The slow JWKS answers \
         after {}. Requests that waited for a key set fetch are counted by the server (its \
         verifications' `upstream_ms` span field, recorded only when one waited).\n\n\
         | window | what changed at its start | requests/s | p50 | p99 | max | p99 / calm p99 ({} goal) | max within the {timeout} fetch timeout? | JWKS fetches (failed) | unknown-`kid` refetches | requests that waited for a fetch (longest) | answered from a stale key set | non-2xx |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|",
        t.timings,
        run.spec.connections,
        t.windows.first().map_or(0.0, |w| w.load.duration_us as f64 / 1e6).round(),
        seconds(t.slow_ms),
        TAIL_P99_GOAL.text(),
    );
    for w in &t.windows {
        let (versus, within) = match w.baseline.and_then(|b| t.windows.get(b)) {
            Some(calm) => {
                let ratio = w.load.p99_us as f64 / calm.load.p99_us as f64;
                let within = Goal::AtMost(t.timeout_ms as f64 * 1e3).met(w.load.max_us as f64);
                (
                    format!("{} ({})", fmt_ratio(ratio), TAIL_P99_GOAL.met(ratio)),
                    within.to_owned(),
                )
            }
            None => ("calm".to_owned(), "–".to_owned()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {versus} | {within} | {} ({}) | {} | {} | {} | {} |",
            w.name,
            w.change,
            count(w.load.rate()),
            us(w.load.p50_us),
            us(w.load.p99_us),
            us(w.load.max_us),
            w.fetches,
            w.failed_fetches,
            w.unknown_kid_refetches,
            waits(w),
            count(w.stale as f64),
            count(w.load.non_2xx as f64),
        );
    }
    let _ = writeln!(out, "\n{}\n", verdict(&t.windows));
}

/// Milliseconds as seconds (`2 s`, `2.5 s`).
fn seconds(ms: u64) -> String {
    format!("{} s", ms as f64 / 1000.0)
}

fn waits(w: &Window) -> String {
    if w.waited == 0 {
        "0".to_owned()
    } else {
        format!(
            "{} (up to {} ms)",
            count(w.waited as f64),
            w.longest_wait_ms
        )
    }
}

/// One sentence on whether any request waited for a fetch, with the numbers when one did.
pub(crate) fn verdict(windows: &[Window]) -> String {
    let waited: Vec<String> = windows
        .iter()
        .filter(|w| w.waited > 0)
        .map(|w| {
            format!(
                "{} in \"{}\" (of {} verifications; longest wait {} ms, {} unknown-`kid` \
                 refetch(es))",
                count(w.waited as f64),
                w.name,
                count(w.verifications as f64),
                w.longest_wait_ms,
                w.unknown_kid_refetches
            )
        })
        .collect();
    if waited.is_empty() {
        return "**No request waited for a key set fetch** in any window: refreshes ran in the \
                background, and while the JWKS was slow the cached set answered \
                (stale-if-error)."
            .to_owned();
    }
    let explained = windows
        .iter()
        .all(|w| w.waited == 0 || w.unknown_kid_refetches > 0);
    let why = if explained {
        "Each of these windows refetched the key set for an unknown `kid`: a token naming a \
         key no cached set holds cannot be verified before the new set is fetched. \
         Refresh-ahead fetches on a schedule, so it spares those requests only when the new key \
         is published before tokens signed by it arrive (Stack Auth publishes both of its keys \
         all along, as in \"signing key switched\")."
    } else {
        "Some of these windows had no unknown `kid`: refresh-ahead and stale-if-error should \
         have answered those requests without a fetch, so this is a finding to investigate."
    };
    format!(
        "**Requests waited for a key set fetch**: {}. {why}",
        waited.join("; ")
    )
}

/// The HTTP section of an existing report, if it has one.
pub(crate) fn section_of(report: &str) -> Option<&str> {
    section::section_of(report, HEADING)
}

/// `report` with its HTTP section replaced by `section`, or with `section` put before the
/// method section (at the end when there is none).
pub(crate) fn splice(report: &str, section: &str) -> String {
    section::splice(report, HEADING, section)
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
