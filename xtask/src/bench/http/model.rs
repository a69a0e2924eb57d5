//! What one HTTP benchmark run measured, and the arithmetic the report shows on it: the ratios
//! of requests per second and the auth cost per request.

use super::wrk::{Load, LoadSpec};
use crate::bench::format::Goal;

/// The servers, numbered as in issue 18.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Server {
    Plain,
    Jwks,
    JwksNoCache,
    Composite,
    Node,
}

impl Server {
    pub(crate) fn number(self) -> u8 {
        match self {
            Server::Plain => 1,
            Server::Jwks => 2,
            Server::JwksNoCache => 3,
            Server::Composite => 4,
            Server::Node => 5,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            Server::Plain => "axum, no auth (the ceiling)",
            Server::Jwks => "axum + `StackAuthLayer`, `JwksVerifier`, verified-token cache on",
            Server::JwksNoCache => "axum + `StackAuthLayer`, `JwksVerifier`, token cache off",
            Server::Composite => {
                "axum + `StackAuthLayer`, composite verifier (default wiring), warm profile cache"
            }
            Server::Node => {
                "Node `http` + jose `createRemoteJWKSet` + `jwtVerify` (Stack Auth's docs)"
            }
        }
    }

    /// The `http_server` kind, or `None` for the Node peer.
    pub(crate) fn kind(self) -> Option<&'static str> {
        match self {
            Server::Plain => Some("plain"),
            Server::Jwks => Some("jwks"),
            Server::JwksNoCache => Some("jwks-no-cache"),
            Server::Composite => Some("composite"),
            Server::Node => None,
        }
    }
}

/// One server's measured run.
#[derive(Debug, Clone)]
pub(crate) struct Measured {
    pub(crate) load: Load,
    /// CPU time of the server process over the run, as a share of one CPU (1.0: saturated).
    pub(crate) cpu_busy: Option<f64>,
    /// The same for the load generator (wrk).
    pub(crate) wrk_busy: Option<f64>,
    /// users/me requests the stand-in answered during the run (the composite only).
    pub(crate) users_me_calls: Option<u64>,
    /// Library and runtime versions the server reported (the Node peer only).
    pub(crate) about: Option<String>,
}

/// A server and its run, or why it was not measured.
#[derive(Debug, Clone)]
pub(crate) struct ServerRun {
    pub(crate) server: Server,
    pub(crate) outcome: Result<Measured, String>,
}

/// Time per call of the ECDSA check alone and of the warm verifier alone (token cache off),
/// measured on the server's CPU before and after the servers (1) and (3).
#[derive(Debug, Clone, Default)]
pub(crate) struct CheckTimes {
    pub(crate) ecdsa_ns: Vec<f64>,
    pub(crate) verifier_ns: Vec<f64>,
}

/// The mean of `values` (NaN when empty).
pub(crate) fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// One window of the tail-latency scenario.
#[derive(Debug, Clone)]
pub(crate) struct Window {
    pub(crate) name: &'static str,
    /// What changed at its start.
    pub(crate) change: &'static str,
    /// The index of the calm window it is judged against (`None`: it is a calm window).
    pub(crate) baseline: Option<usize>,
    pub(crate) load: Load,
    /// Counter deltas over the window, from the server's `/_stats`.
    pub(crate) fetches: u64,
    pub(crate) failed_fetches: u64,
    pub(crate) unknown_kid_refetches: u64,
    pub(crate) verifications: u64,
    /// Verifications that waited for a key set fetch, and the longest such wait.
    pub(crate) waited: u64,
    pub(crate) longest_wait_ms: u64,
    /// Verifications answered with a key set past its freshness (stale-if-error).
    pub(crate) stale: u64,
}

/// The tail-latency scenario: its windows and the server's key set timings.
#[derive(Debug, Clone)]
pub(crate) struct Tail {
    pub(crate) windows: Vec<Window>,
    /// The JWKS fetch timeout of the server (ms).
    pub(crate) timeout_ms: u64,
    /// The server's key set timings, for the report.
    pub(crate) timings: String,
    /// How slow the JWKS was made (ms).
    pub(crate) slow_ms: u64,
}

/// Everything one `--http` run measured, and what it ran on.
#[derive(Debug, Clone)]
pub(crate) struct HttpRun {
    pub(crate) command: String,
    pub(crate) date: String,
    pub(crate) commit: String,
    pub(crate) cpu: String,
    pub(crate) load_before: String,
    pub(crate) load_after: String,
    pub(crate) wrk_version: String,
    pub(crate) pinning: String,
    pub(crate) spec: LoadSpec,
    pub(crate) warmup_seconds: u32,
    /// `jose <v>, Node <v>`, or why the peer did not run.
    pub(crate) node: String,
    /// `(crate, version)` from `Cargo.lock`.
    pub(crate) locked: Vec<(String, String)>,
    pub(crate) servers: Vec<ServerRun>,
    pub(crate) checks: CheckTimes,
    pub(crate) tail: Tail,
}

/// The ratios of requests per second the issue asks for, with their goals.
pub(crate) const RATIOS: [(Server, Server, Goal); 4] = [
    (Server::Jwks, Server::Plain, Goal::AtLeast(0.9)),
    (Server::JwksNoCache, Server::Plain, Goal::None),
    (Server::Jwks, Server::Node, Goal::AtLeast(5.0)),
    (Server::JwksNoCache, Server::Node, Goal::AtLeast(2.0)),
];

/// The goal on auth cost per request / ECDSA check time.
pub(crate) const AUTH_COST_GOAL: Goal = Goal::AtMost(1.15);
/// The goal on a changing window's p99 / its calm window's p99.
pub(crate) const TAIL_P99_GOAL: Goal = Goal::AtMost(2.0);

impl HttpRun {
    /// The measured run of `server`, if it ran.
    pub(crate) fn measured(&self, server: Server) -> Option<&Measured> {
        self.servers
            .iter()
            .find(|r| r.server == server)
            .and_then(|r| r.outcome.as_ref().ok())
    }

    /// Requests per second of `server` (NaN if it did not run).
    pub(crate) fn rate(&self, server: Server) -> f64 {
        self.measured(server).map_or(f64::NAN, |m| m.load.rate())
    }

    /// The auth cost per request of (3) against (1), and against the ECDSA check.
    pub(crate) fn auth_cost(&self) -> AuthCost {
        AuthCost::new(
            self.rate(Server::Plain),
            self.rate(Server::JwksNoCache),
            mean(&self.checks.ecdsa_ns),
        )
    }
}

/// Auth cost per request: `1/rate(3) - 1/rate(1)`, set against the ECDSA check alone.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct AuthCost {
    pub(crate) plain_ns: f64,
    pub(crate) no_cache_ns: f64,
    pub(crate) cost_ns: f64,
    pub(crate) ecdsa_ns: f64,
    /// `cost_ns / ecdsa_ns`.
    pub(crate) ratio: f64,
}

impl AuthCost {
    /// From requests per second of (1) and (3) and the ECDSA check time (ns).
    pub(crate) fn new(rate_plain: f64, rate_no_cache: f64, ecdsa_ns: f64) -> AuthCost {
        let plain_ns = 1e9 / rate_plain;
        let no_cache_ns = 1e9 / rate_no_cache;
        let cost_ns = no_cache_ns - plain_ns;
        AuthCost {
            plain_ns,
            no_cache_ns,
            cost_ns,
            ecdsa_ns,
            ratio: cost_ns / ecdsa_ns,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_cost_is_the_difference_of_the_times_per_request() {
        // 50,000/s is 20 µs a request, 20,000/s is 50 µs: auth costs 30 µs, 1.2x a 25 µs check.
        let cost = AuthCost::new(50_000.0, 20_000.0, 25_000.0);
        assert!((cost.plain_ns - 20_000.0).abs() < 1e-6);
        assert!((cost.no_cache_ns - 50_000.0).abs() < 1e-6);
        assert!((cost.cost_ns - 30_000.0).abs() < 1e-6);
        assert!((cost.ratio - 1.2).abs() < 1e-9);
        assert!(AuthCost::new(f64::NAN, 20_000.0, 25_000.0).ratio.is_nan());
    }

    #[test]
    fn means_and_missing_values() {
        assert_eq!(mean(&[36.0, 38.0]), 37.0);
        assert!(mean(&[]).is_nan());
    }
}
