//! `cargo xtask bench --redis`: the shared cache's operations and the eviction bus's propagation
//! delay against a local `redis-server` (`cargo bench -p stack-auth-redis --bench redis`, which
//! starts its own), then the fleet end to end ([`fleet`]), written as the "Redis"
//! section of `BENCHMARKS.md`; the other runs keep the section there.

use std::{fmt::Write as _, time::SystemTime};

use serde_json::Value;

use super::{
    fleet,
    format::time,
    machine::{self, Machine},
    measured::{median, read_fresh},
    section, Paths, RESULTS_DIR_ENV,
};
use crate::run::{cargo, Step};

/// The section's heading.
const HEADING: &str = "## Redis";

/// The criterion benches of `crates/stack-auth-redis/benches/redis.rs`, with what each measures.
const BENCHES: &[(&str, &str)] = &[
    (
        "redis/get_hit",
        "`get` of a present entry (2 KiB, 3 tags): one Lua script",
    ),
    ("redis/get_miss", "`get` of an absent entry"),
    (
        "redis/put",
        "`put` of a 2 KiB value with 2 tags (+ \"everything\"): one Lua script",
    ),
    ("redis/invalidate", "`invalidate` of one tag: one `DEL`"),
    (
        "redis/get_redis_down_breaker_open",
        "`get` while Redis is down and the breaker open: the extra cost of an outage per lookup",
    ),
    (
        "redis/eviction_propagation",
        "eviction bus: `evict` on process A until process B's hub has it (one at a time)",
    ),
];

/// The section when it was never measured.
pub(crate) fn placeholder() -> String {
    format!("{HEADING}\n\nNot measured yet (`cargo xtask bench --redis`).\n\n")
}

/// The Redis section of an existing report, if it has one.
pub(crate) fn section_of(report: &str) -> Option<&str> {
    section::section_of(report, HEADING)
}

/// `report` with its Redis section replaced by `text`.
pub(crate) fn splice(report: &str, text: &str) -> String {
    section::splice(report, HEADING, text)
}

/// Runs the bench and renders the section.
pub(crate) fn run(paths: &Paths, command: &str) -> Result<String, Step> {
    let before = Machine::collect(paths);
    let started = SystemTime::now();
    let results = paths.results();
    let dir = results.to_string_lossy().into_owned();
    cargo(
        &["bench", "-p", "stack-auth-redis", "--bench", "redis"],
        &[(RESULTS_DIR_ENV, dir.as_str())],
    )?;
    let mut rows = Vec::new();
    for (id, what) in BENCHES {
        let file = paths
            .target
            .join("criterion")
            .join(id)
            .join("new/estimates.json");
        rows.push((*what, median(&read_fresh(&file, started)?, &file)?.ns));
    }
    let extra = read_fresh(&results.join("redis.json"), started)?;
    let fleet = fleet::render(&fleet::run(paths)?);
    Ok(render(command, &before, &rows, &extra) + &fleet)
}

fn render(command: &str, m: &Machine, rows: &[(&str, f64)], extra: &Value) -> String {
    let mut out = String::new();
    let server = extra["redis_server"].as_str().unwrap_or("?");
    let _ = writeln!(
        out,
        "{HEADING}\n\n\
         The shared cache and the eviction bus of `stack-auth-redis` against a local \
         `redis-server` ({server}) on loopback, which the bench starts itself (no persistence). \
         Measured by `{command}` on {} (commit {}; {}, {} logical cores), load average {} before \
         and {} after (the machine is shared with other work).\n",
        m.date,
        m.commit,
        m.cpu,
        m.cores,
        m.load_before,
        machine::load_average()
    );
    let _ = writeln!(out, "| operation | median per call |\n|---|---|");
    for (what, ns) in rows {
        let _ = writeln!(out, "| {what} | {} |", time(*ns));
    }
    let p = &extra["propagation"];
    let ns = |key: &str| p[key].as_f64().unwrap_or(f64::NAN);
    let _ = writeln!(
        out,
        "\n**Eviction propagation** over {} single evictions (process A's `evict` to process B's \
         hub, through Redis pub/sub, one at a time): p50 **{}**, p99 **{}**, max {}.\n",
        p["count"].as_u64().unwrap_or(0),
        time(ns("p50_ns")),
        time(ns("p99_ns")),
        time(ns("max_ns"))
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_row_and_the_distribution() {
        let m = Machine {
            date: "2026-12-01 00:00 UTC".into(),
            cpu: "cpu".into(),
            cores: 2,
            memory: "1 GiB".into(),
            kernel: "k".into(),
            rustc: "r".into(),
            commit: "abc".into(),
            load_before: "0.1".into(),
            locked: Vec::new(),
        };
        let extra: Value = serde_json::from_str(
            r#"{"redis_server":"v=7","propagation":{"count":10,"p50_ns":62000,"p99_ns":94000,"max_ns":300000}}"#,
        )
        .unwrap_or_default();
        let rows: Vec<(&str, f64)> = BENCHES.iter().map(|(w, _)| (*w, 1500.0)).collect();
        let text = render("cargo xtask bench --redis", &m, &rows, &extra);
        assert!(text.starts_with("## Redis\n\n"));
        assert_eq!(text.matches("| 1.50 µs |").count(), BENCHES.len());
        assert!(
            text.contains("p50 **62.00 µs**, p99 **94.00 µs**, max 300.00 µs"),
            "{text}"
        );
        assert!(text.contains("(v=7)"));
        assert_eq!(section_of(&format!("# B\n\n{text}")), Some(text.as_str()));
    }
}
