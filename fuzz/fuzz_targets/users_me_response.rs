//! Arbitrary users/me answers through a `RestVerifier`: an in-process HTTP server on
//! 127.0.0.1 answers every request with the status, headers and body the input describes, and
//! the verifier (every user type accepted, two attempts without backoff, no breaker, no cache)
//! asks it about one fixed token. The 200 body is also parsed as a `ServerUser` directly.
//!
//! The REST crate has no public response parser, so this covers the whole public path: status
//! and header handling (`x-stack-known-error`, `x-stack-actual-status`, `Retry-After`), the
//! KnownError table, profile parsing, retries and the error mapping.
//!
//! The server keeps connections alive, as Stack Auth does.
//!
//! Input: `[status0, status1, flags, (len, bytes) per header flagged, body...]`; flags bit 0:
//! `x-stack-known-error`, bit 1: `retry-after`, bit 2: `x-stack-actual-status`. Header bytes
//! outside visible ASCII are dropped.
//!
//! Checks: no panic, no hang (libFuzzer `-timeout`); an effective 429 is `unavailable`
//! (`rate_limited`, status 429, its `Retry-After` when given in seconds); success only for an
//! effective 200 without a known-error header, with a body that parses as a `ServerUser` with a
//! non-empty id, which is then the user's id; such a 200 with an unparsable body is `unavailable`
//! (`invalid_response`); refusals only with the reasons users/me can give; neither the secret
//! server key nor the token appears in any rendering unless the response itself contained it.
#![no_main]

mod common;

use std::{
    sync::{Arc, Mutex, OnceLock},
    time::Duration,
};

use libfuzzer_sys::fuzz_target;
use stack_auth_core::{
    RefusalReason, ServerUser, TokenVerifier, UnavailableKind, UserTypes, VerifyError,
};
use stack_auth_rest::{CircuitBreakerPolicy, RestVerifier, RetryPolicy};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpListener,
};

const SECRET: &str = "ssk_fuzz_secret_0123456789abcdefghijklmnop";
const TOKEN: &str =
    "eyJhbGciOiJFUzI1NiIsImtpZCI6ImZ1enoifQ.eyJzdWIiOiJmdXp6In0.fuzz-signature-segment-012345678";
const STATUSES: [u16; 12] = [200, 200, 400, 401, 403, 404, 409, 429, 500, 502, 503, 504];

struct Fixture {
    verifier: RestVerifier,
    response: Arc<Mutex<Vec<u8>>>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let rt = common::runtime();
        let listener = rt
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind 127.0.0.1");
        let port = listener.local_addr().expect("local addr").port();
        let response = Arc::new(Mutex::new(Vec::new()));
        rt.spawn(serve(listener, Arc::clone(&response)));
        let verifier = RestVerifier::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e", SECRET)
            .base_url(format!("http://127.0.0.1:{port}"))
            .accepted_user_types(UserTypes::ALL)
            .retry_policy(RetryPolicy::new(2, Duration::ZERO))
            .circuit_breaker(CircuitBreakerPolicy::disabled())
            .disable_token_cache()
            // Under a second: a `Retry-After` (whole seconds, at least 1) never fits, so no
            // input sleeps; a loopback answer takes well under a millisecond.
            .timeout(Duration::from_millis(500))
            .build()
            .expect("rest verifier");
        Fixture { verifier, response }
    })
}

/// Answers every request with the current canned response, keeping connections alive.
async fn serve(listener: TcpListener, response: Arc<Mutex<Vec<u8>>>) {
    loop {
        let Ok((mut stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let response = Arc::clone(&response);
        tokio::spawn(async move {
            let mut pending = Vec::new();
            let mut chunk = [0u8; 4096];
            loop {
                let end = loop {
                    if let Some(at) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
                        break at + 4;
                    }
                    match stream.read(&mut chunk).await {
                        Ok(n) if n > 0 && pending.len() < 65_536 => {
                            pending.extend_from_slice(&chunk[..n]);
                        }
                        _ => return,
                    }
                };
                pending.drain(..end);
                let bytes = response.lock().expect("response lock").clone();
                if stream.write_all(&bytes).await.is_err() {
                    return;
                }
            }
        });
    }
}

/// What the input describes.
struct Answer {
    status: u16,
    known_error: Option<String>,
    retry_after: Option<String>,
    actual_status: Option<String>,
    body: Vec<u8>,
}

fn take_header(rest: &mut &[u8]) -> Option<String> {
    let (&len, tail) = rest.split_first()?;
    let len = usize::from(len).min(tail.len());
    let value: String = tail[..len]
        .iter()
        .filter(|b| b.is_ascii_graphic() || **b == b' ')
        .map(|&b| char::from(b))
        .collect();
    *rest = &tail[len..];
    Some(value)
}

fn answer(data: &[u8]) -> Option<Answer> {
    let (&[s0, s1, flags], mut rest) = data.split_first_chunk::<3>()?;
    let status = if s0 < 128 {
        STATUSES[usize::from(s0) % STATUSES.len()]
    } else {
        200 + u16::from_be_bytes([s0 & 1, s1]) % 400
    };
    // No body may follow these; a body the client never reads would only confuse the checks.
    let status = if matches!(status, 204 | 304) {
        200
    } else {
        status
    };
    let known_error = if flags & 1 != 0 {
        take_header(&mut rest)
    } else {
        None
    };
    let retry_after = if flags & 2 != 0 {
        take_header(&mut rest)
    } else {
        None
    };
    let actual_status = if flags & 4 != 0 {
        take_header(&mut rest)
    } else {
        None
    };
    Some(Answer {
        status,
        known_error,
        retry_after,
        actual_status,
        body: rest.to_vec(),
    })
}

fn wire(a: &Answer) -> Vec<u8> {
    let mut out = format!(
        "HTTP/1.1 {} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
        a.status,
        a.body.len()
    );
    for (name, value) in [
        ("x-stack-known-error", &a.known_error),
        ("retry-after", &a.retry_after),
        ("x-stack-actual-status", &a.actual_status),
    ] {
        if let Some(v) = value {
            out.push_str(&format!("{name}: {v}\r\n"));
        }
    }
    out.push_str("\r\n");
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(&a.body);
    bytes
}

fn effective_status(a: &Answer) -> u16 {
    a.actual_status
        .as_deref()
        .and_then(|s| s.trim().parse::<u16>().ok())
        .filter(|s| (100..600).contains(s))
        .unwrap_or(a.status)
}

/// The profile a 200 body must be accepted as: an id, and a user type stated consistently (both
/// flags present, anonymous implies restricted, restricted iff a reason, anonymous iff the
/// reason says so).
fn profile(body: &[u8]) -> Option<ServerUser> {
    let p = serde_json::from_slice::<ServerUser>(body)
        .ok()
        .filter(|p| !p.id.trim().is_empty())?;
    // Top-level fields as raw JSON: metadata may nest past serde_json's recursion limit.
    let raw: std::collections::BTreeMap<String, stack_auth_core::RawJson> =
        serde_json::from_slice(body).ok()?;
    let flag = |name: &str| raw.get(name).and_then(|v| v.parse::<bool>().ok());
    let (anonymous, restricted) = (flag("is_anonymous")?, flag("is_restricted")?);
    let reason = p.restricted_reason;
    let consistent = (!anonymous || restricted)
        && restricted == reason.is_some()
        && anonymous == (reason == Some(stack_auth_core::RestrictedReason::Anonymous));
    consistent.then_some(p)
}

fuzz_target!(|data: &[u8]| {
    let Some(a) = answer(data) else { return };
    let f = fixture();
    let raw = wire(&a);
    *f.response.lock().expect("response lock") = raw.clone();
    let result = common::runtime().block_on(f.verifier.verify(TOKEN));
    let effective = effective_status(&a);
    let plain_200 = effective == 200 && a.known_error.is_none();
    let shown = match &result {
        Ok(user) => {
            assert!(
                plain_200,
                "success for status {effective} / known error {:?}",
                a.known_error
            );
            let p = profile(&a.body).expect("success only for a profile body");
            assert_eq!(user.user_id(), p.id);
            format!("{user:?}")
        }
        Err(e) => {
            check_error(&a, effective, plain_200, e);
            common::render_error(e)
        }
    };
    let raw = String::from_utf8_lossy(&raw);
    for secret in [SECRET, TOKEN] {
        assert!(
            raw.contains(secret) || !shown.contains(secret),
            "a secret leaked into {shown}"
        );
    }
});

fn check_error(a: &Answer, effective: u16, plain_200: bool, e: &VerifyError) {
    if effective == 429 {
        let VerifyError::Unavailable(u) = e else {
            panic!("429 gave {e:?}")
        };
        assert_eq!(
            (u.kind(), u.status()),
            (UnavailableKind::RateLimited, Some(429))
        );
        if let Some(secs) = a
            .retry_after
            .as_deref()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            assert_eq!(u.retry_after(), Some(Duration::from_secs(secs)));
        }
        return;
    }
    if plain_200 {
        assert!(
            profile(&a.body).is_none(),
            "a profile body was not accepted: {e:?}"
        );
        let VerifyError::Unavailable(u) = e else {
            panic!("garbage 200 gave {e:?}")
        };
        assert_eq!(u.kind(), UnavailableKind::InvalidResponse);
        return;
    }
    if let VerifyError::Refused(r) = e {
        assert!(
            matches!(
                r.reason(),
                RefusalReason::Unparsable
                    | RefusalReason::Expired
                    | RefusalReason::WrongProject
                    | RefusalReason::UserTypeNotAllowed
                    | RefusalReason::UserNotFound
            ),
            "users/me cannot say {:?}",
            r.reason()
        );
    }
}
