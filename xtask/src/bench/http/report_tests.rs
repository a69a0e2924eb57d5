//! Tests of the HTTP section: the arithmetic it shows, the verdict on fetch waits, and where
//! the section goes in an existing report.

use super::*;
use crate::bench::http::{
    model::{CheckTimes, Measured, ServerRun, Tail},
    wrk::{Load, LoadSpec},
};

fn load(rate: u64, p99_us: u64, max_us: u64) -> Load {
    Load {
        requests: rate * 10,
        duration_us: 10_000_000,
        socket_errors: 0,
        non_2xx: 0,
        timeouts: 0,
        mean_us: 500.0,
        p50_us: 400,
        p90_us: 700,
        p99_us,
        max_us,
    }
}

fn window(name: &'static str, baseline: Option<usize>, p99: u64, max: u64) -> Window {
    Window {
        name,
        change: "something",
        baseline,
        load: load(40_000, p99, max),
        fetches: 3,
        failed_fetches: 0,
        unknown_kid_refetches: 0,
        verifications: 400_000,
        waited: 0,
        longest_wait_ms: 0,
        stale: 0,
    }
}

fn run() -> HttpRun {
    let measured = |rate, p99| {
        Ok(Measured {
            load: load(rate, p99, 9_000),
            cpu_busy: Some(0.98),
            wrk_busy: Some(0.6),
            users_me_calls: Some(0),
            about: None,
        })
    };
    let servers = vec![
        ServerRun {
            server: Server::Plain,
            outcome: measured(50_000, 1_000),
        },
        ServerRun {
            server: Server::Jwks,
            outcome: measured(46_000, 1_100),
        },
        ServerRun {
            server: Server::JwksNoCache,
            outcome: measured(20_000, 2_000),
        },
        ServerRun {
            server: Server::Composite,
            outcome: measured(40_000, 1_200),
        },
        ServerRun {
            server: Server::Node,
            outcome: Err("node: not found".into()),
        },
    ];
    HttpRun {
        command: "cargo xtask bench --http".into(),
        date: "2026-01-01 00:00 UTC".into(),
        commit: "abc1234".into(),
        cpu: "AMD EPYC, 2 logical cores".into(),
        load_before: "1.00 1.00 1.00".into(),
        load_after: "1.50 1.00 1.00".into(),
        wrk_version: "wrk 4.1.0 [epoll]".into(),
        pinning: "server pinned to CPU 0".into(),
        spec: LoadSpec {
            connections: 32,
            seconds: 10,
        },
        warmup_seconds: 2,
        node: "not measured: node: not found".into(),
        locked: vec![("axum".into(), "0.8.4".into())],
        servers,
        checks: CheckTimes {
            ecdsa_ns: vec![26_000.0, 27_000.0],
            verifier_ns: vec![28_000.0],
        },
        tail: Tail {
            windows: vec![
                window("calm", None, 1_000, 5_000),
                window("JWKS slow", Some(0), 2_500, 1_900_000),
            ],
            timeout_ms: 2_000,
            timings: "`timeout` 2 s".into(),
            slow_ms: 3_000,
        },
    }
}

#[test]
fn shows_the_ratios_and_the_auth_cost_arithmetic() {
    let text = render(&run());
    assert!(text.starts_with("## HTTP\n"), "{text}");
    // (2)/(1) = 46,000 / 50,000.
    assert!(
        text.contains("| (2) / (1) | 0.92x | >= 0.9x | yes |"),
        "{text}"
    );
    assert!(text.contains("| (3) / (1) | 0.40x | – | – |"), "{text}");
    // The peer did not run: its ratios are unknown, and the row says why.
    assert!(text.contains("| (2) / (5) | ? | >= 5x | ? |"), "{text}");
    assert!(text.contains("not measured: node: not found"));
    // 1/20,000 s - 1/50,000 s = 50 µs - 20 µs = 30 µs; mean check 26.5 µs; 30/26.5 = 1.13x.
    assert!(
        text.contains("1/20,000 s − 1/50,000 s = 50.00 µs − 20.00 µs = **30.00 µs**"),
        "{text}"
    );
    assert!(text.contains("26.00 µs and 27.00 µs"), "{text}");
    assert!(text.contains("mean **26.50 µs**"), "{text}");
    assert!(text.contains("= **1.13x** (goal <= 1.15x: yes)"), "{text}");
    assert!(text.contains("| 50,000 | 400.00 µs | 700.00 µs | 1.00 ms | 9.00 ms | 98% | 60% | 0 |"));
}

#[test]
fn judges_each_window_against_its_calm_window_and_the_timeout() {
    let text = render(&run());
    // p99 2.5 ms against 1 ms: 2.50x, over the 2x goal; max 1.9 s, within the 2 s timeout.
    assert!(text.contains("| 2.50x (**no**) | yes |"), "{text}");
    let mut slow = run();
    slow.tail.windows[1].load.max_us = 2_400_000;
    assert!(render(&slow).contains("| 2.50x (**no**) | **no** |"));
}

#[test]
fn the_verdict_reports_waits_with_their_numbers() {
    let calm = vec![
        window("calm", None, 1, 1),
        window("JWKS slow", Some(0), 1, 1),
    ];
    assert!(verdict(&calm).starts_with("**No request waited"));
    let mut replaced = calm.clone();
    replaced[1].waited = 32;
    replaced[1].longest_wait_ms = 3;
    replaced[1].unknown_kid_refetches = 1;
    let text = verdict(&replaced);
    assert!(text.contains("32 in \"JWKS slow\" (of 400,000 verifications; longest wait 3 ms, 1 unknown-`kid` refetch(es))"), "{text}");
    assert!(text.contains("cannot be verified before"));
    replaced[1].unknown_kid_refetches = 0;
    assert!(verdict(&replaced).contains("a finding to investigate"));
}

#[test]
fn replaces_the_section_or_puts_it_before_the_method() {
    let old = "# Benchmarks\n\n## Peers\n\npeers\n\n## HTTP\n\nold numbers\n\n### Tail\n\nold\n\n\
               ## How each number is measured\n\nmethod\n";
    assert_eq!(
        section_of(old),
        Some("## HTTP\n\nold numbers\n\n### Tail\n\nold\n\n")
    );
    let new = splice(old, "## HTTP\n\nnew\n\n");
    assert_eq!(
        new,
        "# Benchmarks\n\n## Peers\n\npeers\n\n## HTTP\n\nnew\n\n## How each number is measured\n\nmethod\n"
    );
    let without = "# Benchmarks\n\n## Peers\n\np\n\n## How each number is measured\n\nm\n";
    assert_eq!(
        splice(without, "## HTTP\n\nnew\n\n"),
        "# Benchmarks\n\n## Peers\n\np\n\n## HTTP\n\nnew\n\n## How each number is measured\n\nm\n"
    );
    assert_eq!(
        splice("", "## HTTP\n\nx\n"),
        "# Benchmarks\n\n## HTTP\n\nx\n"
    );
    let last = "# B\n\n## HTTP\n\nold\n";
    assert_eq!(section_of(last), Some("## HTTP\n\nold\n"));
    assert_eq!(splice(last, "## HTTP\n\nnew\n"), "# B\n\n## HTTP\n\nnew\n");
    assert_eq!(section_of("# B\n\n## HTTPS\n"), None);
}
