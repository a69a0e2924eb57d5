//! [`Fault`]: failures the stand-in injects per route, to test timeouts, retries, backoff and
//! response-size limits.

use std::time::Duration;

use serde_json::Value;

use super::Route;

/// A failure to inject on a route (see `LocalStackAuth::inject` / `inject_times`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Waits this long (with `tokio::time::sleep`, so paused time works), then answers
    /// normally.
    Latency(Duration),
    /// Answers with this status and body instead of the real answer.
    Status {
        /// The HTTP status.
        status: u16,
        /// The body.
        body: FaultBody,
    },
    /// 429 with the JSON body of Stack Auth's development rate limiter, with or without a
    /// `Retry-After` header (seconds).
    RateLimited {
        /// The `Retry-After` value, in seconds.
        retry_after: Option<u64>,
    },
    /// 200 with `content-type: application/json` and a body that is not JSON.
    GarbageJson,
    /// 200 with a valid JSON body of this many bytes (for response-size limits).
    Oversized(usize),
    /// Closes the connection without answering.
    DropConnection,
    /// Never answers (until the stand-in shuts down): for client timeouts.
    Hang,
}

impl Fault {
    /// A plain-text error with this status (e.g. a 502 from a proxy).
    pub fn status(status: u16) -> Fault {
        Fault::Status {
            status,
            body: FaultBody::Plain(format!("Injected error {status}")),
        }
    }

    /// A KnownError response: JSON `{code, error}` and the `x-stack-known-error` header.
    pub fn known_error(status: u16, code: impl Into<String>, error: impl Into<String>) -> Fault {
        Fault::Status {
            status,
            body: FaultBody::KnownError {
                code: code.into(),
                error: error.into(),
                details: None,
            },
        }
    }

    /// A short label for the request log.
    pub(crate) fn label(&self) -> String {
        match self {
            Fault::Latency(d) => format!("latency {d:?}"),
            Fault::Status { status, .. } => format!("status {status}"),
            Fault::RateLimited { retry_after } => {
                format!("rate limited (retry-after {retry_after:?})")
            }
            Fault::GarbageJson => "garbage json".into(),
            Fault::Oversized(n) => format!("oversized {n} bytes"),
            Fault::DropConnection => "dropped connection".into(),
            Fault::Hang => "hang".into(),
        }
    }
}

/// The body of a [`Fault::Status`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum FaultBody {
    /// `text/plain; charset=utf-8`, like Stack Auth's non-KnownError failures.
    Plain(String),
    /// A KnownError, exactly as Stack Auth formats one.
    KnownError {
        /// The code, e.g. `INVALID_SECRET_SERVER_KEY`.
        code: String,
        /// The human-readable message (the `error` field).
        error: String,
        /// The `details` object, if any.
        details: Option<Value>,
    },
    /// Any JSON (no known-error header).
    Json(Value),
    /// No body.
    Empty,
}

/// One injected fault: for which route, and for how many more requests (`None` = until
/// cleared).
#[derive(Debug, Clone)]
pub(crate) struct FaultRule {
    pub(crate) route: Route,
    pub(crate) fault: Fault,
    pub(crate) remaining: Option<u64>,
}

/// Takes the fault for the next request on `route`: counted rules first (oldest first), then
/// the newest persistent rule.
pub(crate) fn take(rules: &mut Vec<FaultRule>, route: Route) -> Option<Fault> {
    let counted = rules
        .iter()
        .position(|r| r.route.matches(route) && r.remaining.is_some_and(|n| n > 0));
    if let Some(at) = counted {
        let rule = &mut rules[at];
        let fault = rule.fault.clone();
        rule.remaining = rule.remaining.map(|n| n - 1);
        if rule.remaining == Some(0) {
            rules.remove(at);
        }
        return Some(fault);
    }
    rules
        .iter()
        .rev()
        .find(|r| r.route.matches(route) && r.remaining.is_none())
        .map(|r| r.fault.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_rules_run_out_then_persistent_rules_apply() {
        let mut rules = vec![
            FaultRule {
                route: Route::Jwks,
                fault: Fault::Hang,
                remaining: None,
            },
            FaultRule {
                route: Route::Jwks,
                fault: Fault::status(500),
                remaining: Some(2),
            },
        ];
        assert_eq!(take(&mut rules, Route::Jwks), Some(Fault::status(500)));
        assert_eq!(take(&mut rules, Route::UsersMe), None);
        assert_eq!(take(&mut rules, Route::Jwks), Some(Fault::status(500)));
        assert_eq!(take(&mut rules, Route::Jwks), Some(Fault::Hang));
        assert_eq!(rules.len(), 1);
    }

    #[test]
    fn any_matches_every_route() {
        let mut rules = vec![FaultRule {
            route: Route::Any,
            fault: Fault::GarbageJson,
            remaining: Some(1),
        }];
        assert_eq!(take(&mut rules, Route::UsersMe), Some(Fault::GarbageJson));
        assert_eq!(take(&mut rules, Route::Jwks), None);
    }
}
