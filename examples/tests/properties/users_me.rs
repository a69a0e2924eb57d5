//! Property tests (issue 10) for users/me response handling, through the REST verifier's public
//! surface against a mockito users/me: arbitrary bodies, statuses and known-error headers never
//! panic and map to the class the `stack-auth-rest` error table documents.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use proptest::{prelude::*, test_runner::TestRunner};
use serde_json::{json, Value};
use stack_auth_core::{
    MisconfigKind, RefusalReason, ServerUser, TokenVerifier, UnavailableKind, UserTypes,
    VerifiedUser, VerifyError,
};
use stack_auth_rest::{CircuitBreakerPolicy, RestVerifier, RetryPolicy};

const SECRET: &str = "ssk_properties_secret_0123456789abcdef";
const TOKEN: &str = "eyJhbGciOiJFUzI1NiIsImtpZCI6InRlc3QifQ.eyJzdWIiOiJwcm9wIn0.cHJvcGVydGllcy1zaWduYXR1cmUtMDEyMzQ1Njc4OQ";

/// The documented table (crate docs of `stack-auth-rest`): code → outcome.
const TABLE: &[(&str, Outcome)] = &[
    (
        "UNPARSABLE_ACCESS_TOKEN",
        Outcome::Refused(RefusalReason::Unparsable),
    ),
    (
        "ACCESS_TOKEN_EXPIRED",
        Outcome::Refused(RefusalReason::Expired),
    ),
    (
        "INVALID_PROJECT_FOR_ACCESS_TOKEN",
        Outcome::Refused(RefusalReason::WrongProject),
    ),
    (
        "ANONYMOUS_AUTHENTICATION_NOT_ALLOWED",
        Outcome::Refused(RefusalReason::UserTypeNotAllowed),
    ),
    (
        "RESTRICTED_USER_NOT_ALLOWED",
        Outcome::Refused(RefusalReason::UserTypeNotAllowed),
    ),
    (
        "CANNOT_GET_OWN_USER_WITHOUT_USER",
        Outcome::Refused(RefusalReason::UserNotFound),
    ),
    (
        "INVALID_SECRET_SERVER_KEY",
        Outcome::Misconfigured(MisconfigKind::InvalidSecretServerKey),
    ),
    (
        "SERVER_AUTHENTICATION_REQUIRED",
        Outcome::Misconfigured(MisconfigKind::MissingSecretServerKey),
    ),
    (
        "CURRENT_PROJECT_NOT_FOUND",
        Outcome::Misconfigured(MisconfigKind::ProjectNotFound),
    ),
    (
        "PROJECT_NOT_FOUND",
        Outcome::Misconfigured(MisconfigKind::ProjectNotFound),
    ),
    (
        "ACCESS_TYPE_REQUIRED",
        Outcome::Misconfigured(MisconfigKind::InvalidRequest),
    ),
    (
        "SCHEMA_ERROR",
        Outcome::Misconfigured(MisconfigKind::InvalidRequest),
    ),
    (
        "BRANCH_DOES_NOT_EXIST",
        Outcome::Misconfigured(MisconfigKind::InvalidRequest),
    ),
];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Outcome {
    Ok,
    Refused(RefusalReason),
    Misconfigured(MisconfigKind),
    Unavailable(UnavailableKind, Option<u16>),
}

fn outcome(result: &Result<VerifiedUser, VerifyError>) -> Outcome {
    match result {
        Ok(_) => Outcome::Ok,
        Err(VerifyError::Refused(r)) => Outcome::Refused(r.reason()),
        Err(VerifyError::Misconfigured(m)) => Outcome::Misconfigured(m.kind()),
        Err(VerifyError::Unavailable(u)) => Outcome::Unavailable(u.kind(), u.status()),
        Err(other) => panic!("an error class the table does not have: {other:?}"),
    }
}

/// One generated users/me answer and what the table says the verifier makes of it.
#[derive(Debug, Clone)]
struct Answer {
    status: usize,
    known_error: Option<String>,
    retry_after: Option<u64>,
    body: String,
    expected: Outcome,
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        "[ -~]{0,16}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-z_]{0,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A 200 with a profile-like body: fields of the §3.4 profile set to arbitrary values.
fn ok_answer() -> impl Strategy<Value = Answer> {
    let field = prop_oneof![
        Just("id"),
        Just("primary_email"),
        Just("display_name"),
        Just("is_anonymous"),
        Just("is_restricted"),
        Just("restricted_reason"),
        Just("selected_team"),
        Just("signed_up_at_millis"),
        Just("oauth_providers"),
        Just("risk_scores"),
        Just("code"),
    ];
    (
        prop::collection::btree_map(field, json_value(), 0..6),
        prop::option::of("[ -~]{0,40}"),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(fields, id, as_array, normal_user)| {
            let mut body: serde_json::Map<String, Value> =
                fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
            if normal_user {
                // half the profiles state a normal user properly, so the Ok path is exercised
                body.insert("is_anonymous".into(), json!(false));
                body.insert("is_restricted".into(), json!(false));
                body.insert("restricted_reason".into(), Value::Null);
            }
            if let Some(id) = id {
                body.insert("id".into(), json!(id));
            }
            let body = if as_array {
                json!([body])
            } else {
                Value::Object(body)
            };
            let parsed = serde_json::from_value::<ServerUser>(body.clone()).ok();
            let expected = match parsed {
                Some(p) if !p.id.trim().is_empty() && user_type_flags_hold(&body, &p) => {
                    Outcome::Ok
                }
                _ => Outcome::Unavailable(UnavailableKind::InvalidResponse, Some(200)),
            };
            Answer {
                status: 200,
                known_error: None,
                retry_after: None,
                body: body.to_string(),
                expected,
            }
        })
}

/// Whether a profile states its user type consistently: both flags present as booleans,
/// anonymous implies restricted, restricted iff a reason, anonymous iff the reason says so.
fn user_type_flags_hold(body: &Value, p: &ServerUser) -> bool {
    let flag = |name: &str| body.get(name).and_then(Value::as_bool);
    let (Some(anonymous), Some(restricted)) = (flag("is_anonymous"), flag("is_restricted")) else {
        return false;
    };
    let reason = p.restricted_reason;
    (!anonymous || restricted)
        && restricted == reason.is_some()
        && anonymous == (reason == Some(stack_auth_core::RestrictedReason::Anonymous))
}

/// A known error from the table, by header, body or both, with any status and text.
fn known_answer() -> impl Strategy<Value = Answer> {
    (
        prop::sample::select(TABLE),
        prop::sample::select(&[400usize, 401, 403, 404, 409, 500, 502, 503][..]),
        0..3u8,
        "[ -~]{0,60}",
    )
        .prop_map(|((code, outcome), status, carrier, text)| Answer {
            status,
            known_error: (carrier != 1).then(|| code.to_string()),
            retry_after: None,
            body: if carrier == 0 {
                json!({ "error": text }).to_string()
            } else {
                json!({ "code": code, "error": text }).to_string()
            },
            expected: outcome,
        })
}

/// Codes the SDK does not know, mismatched codes, codes that are not identifiers, plain errors.
fn other_error_answer() -> impl Strategy<Value = Answer> {
    (
        prop::sample::select(&[400usize, 401, 409, 418, 500, 502, 503, 504][..]),
        "[A-Z][A-Z_]{2,20}",
        0..4u8,
        "[ -~]{0,40}",
    )
        .prop_filter("unknown code", |(_, code, _, _)| {
            TABLE.iter().all(|(c, _)| c != code)
        })
        .prop_map(|(status, code, shape, text)| {
            let code_status = if status >= 500 {
                Outcome::Unavailable(UnavailableKind::ServerError, Some(status as u16))
            } else {
                Outcome::Misconfigured(MisconfigKind::UnexpectedError)
            };
            let (known_error, body, expected) = match shape {
                0 => (
                    Some(code.clone()),
                    json!({"code": code, "error": text}).to_string(),
                    code_status,
                ),
                1 => (
                    Some("ACCESS_TOKEN_EXPIRED".to_owned()),
                    json!({"code": code}).to_string(),
                    Outcome::Unavailable(UnavailableKind::InvalidResponse, Some(status as u16)),
                ),
                2 => (
                    Some(format!("{} lower", code.to_lowercase())),
                    "{}".to_owned(),
                    Outcome::Unavailable(UnavailableKind::InvalidResponse, Some(status as u16)),
                ),
                _ => (
                    None,
                    text.replace(['{', '['], "("),
                    if status >= 500 {
                        Outcome::Unavailable(UnavailableKind::ServerError, Some(status as u16))
                    } else {
                        // Not Stack Auth answering: something else is at the base URL.
                        Outcome::Misconfigured(MisconfigKind::InvalidRequest)
                    },
                ),
            };
            Answer {
                status,
                known_error,
                retry_after: None,
                body,
                expected,
            }
        })
}

/// 429 with or without a code, with or without `Retry-After`.
fn rate_limited_answer() -> impl Strategy<Value = Answer> {
    (
        // 0 is retried at once; anything that fits no deadline is answered at once, up to
        // u64::MAX (which once overflowed the retry loop's `Instant`).
        prop::option::of(prop_oneof![Just(0u64), 3_600..=u64::MAX]),
        any::<bool>(),
    )
        .prop_map(|(retry_after, coded)| Answer {
            status: 429,
            known_error: coded.then(|| "RATE_LIMITED".to_owned()),
            retry_after,
            body: json!({"message": "Too many requests"}).to_string(),
            expected: Outcome::Unavailable(UnavailableKind::RateLimited, Some(429)),
        })
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        ok_answer(),
        known_answer(),
        other_error_answer(),
        rate_limited_answer()
    ]
}

/// Every generated answer gets the documented outcome; no rendering of any result shows the
/// secret server key or the token.
#[test]
fn users_me_answers_map_to_the_documented_class() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let server = std::cell::RefCell::new(rt.block_on(mockito::Server::new_async()));
    let verifier = RestVerifier::builder("3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e", SECRET)
        .base_url(server.borrow().url())
        .accepted_user_types(UserTypes::ALL)
        .retry_policy(RetryPolicy::new(2, Duration::ZERO))
        .circuit_breaker(CircuitBreakerPolicy::disabled())
        .disable_token_cache()
        .build()
        .unwrap();
    let mut runner = TestRunner::new(ProptestConfig::with_cases(256));
    runner
        .run(&answer(), |a| {
            let result = rt.block_on(async {
                let mut mock = server
                    .borrow_mut()
                    .mock("GET", "/api/v1/users/me")
                    .with_status(a.status)
                    .with_header("content-type", "application/json")
                    .with_body(&a.body);
                if let Some(code) = &a.known_error {
                    mock = mock.with_header("x-stack-known-error", code);
                }
                if let Some(secs) = a.retry_after {
                    mock = mock.with_header("retry-after", &secs.to_string());
                }
                let mock = mock.create_async().await;
                let result = verifier.verify(TOKEN).await;
                mock.remove_async().await;
                result
            });
            prop_assert_eq!(outcome(&result), a.expected, "{:?}", result);
            if let (Some(secs), Err(e)) = (a.retry_after, &result) {
                prop_assert_eq!(e.retry_after(), Some(Duration::from_secs(secs)));
            }
            let shown = match &result {
                Ok(user) => format!("{user:?}"),
                Err(e) => format!("{e} {e:?} {:?}", std::error::Error::source(e)),
            };
            prop_assert!(
                !shown.contains(SECRET) && !shown.contains(TOKEN),
                "{}",
                shown
            );
            Ok(())
        })
        .unwrap();
}
