//! Turning one users/me answer (or the failure to get one) into a profile or a [`Failure`] that
//! says whether trying again can help.

use serde::Deserialize;
use stack_auth_core::{
    parse_retry_after, Clock, MisconfigKind, Misconfiguration, RestrictedReason, ServerUser,
    UnavailableKind, VerifyError,
};

use crate::{
    error::{sanitize, RestError},
    known_error,
    request::{RawResponse, TransportError},
    retry::{Failure, RetryHint},
};

/// The profile in a 200 answer, or what went wrong.
pub(crate) fn classify(
    raw: &RawResponse,
    clock: &dyn Clock,
    max_body: usize,
) -> Result<ServerUser, Failure> {
    let status = effective_status(raw);
    if status == 429 {
        return Err(rate_limited(raw, clock));
    }
    if raw.body_over_cap {
        return Err(over_cap(raw, status, max_body));
    }
    let success = (200..300).contains(&status);
    if !success || raw.known_error.is_some() {
        let known = known_error::read(raw.known_error.as_deref(), &raw.body).map_err(|e| {
            Failure::never(
                e.unavailable(UnavailableKind::InvalidResponse)
                    .with_status(status),
            )
        })?;
        if let Some(known) = known {
            return Err(known_failure(known, status));
        }
    }
    if let Some(error) = misrouted(status) {
        return Err(Failure::never(error));
    }
    match status {
        200 => parse_profile(&raw.body).map_err(|e| {
            Failure::never(
                e.unavailable(UnavailableKind::InvalidResponse)
                    .with_status(200),
            )
        }),
        _ => Err(Failure {
            error: RestError::UnexpectedStatus {
                status,
                body: String::new(),
            }
            .unavailable(UnavailableKind::ServerError)
            .with_status(status)
            .into(),
            hint: status_hint(status),
        }),
    }
}

/// A failure to get any answer.
pub(crate) fn transport_failure(e: TransportError) -> Failure {
    match e {
        TransportError::Connect(e) => Failure {
            error: e.unavailable(UnavailableKind::Connect).into(),
            hint: RetryHint::Backoff,
        },
        TransportError::Timeout(e) => Failure {
            error: e.unavailable(UnavailableKind::Timeout).into(),
            hint: RetryHint::Backoff,
        },
        TransportError::Request(e) => {
            Failure::never(e.misconfigured(MisconfigKind::InvalidRequest))
        }
        TransportError::Redirected => Failure::never(
            Misconfiguration::new(MisconfigKind::InvalidRequest)
                .with_detail(REDIRECTED)
                .with_source(RestError::Redirected),
        ),
    }
}

/// An answer whose body is over the cap. A 200 JSON answer without a known error is Stack Auth
/// answering, healthily, with a profile larger than the cap: users write their own metadata,
/// without a size limit, so it concerns this one token ([`UnavailableKind::ProfileTooLarge`],
/// which the circuit breaker does not count). Anything else that large is not what Stack Auth
/// sends ([`UnavailableKind::TooLarge`], an upstream failure). Neither is retried.
fn over_cap(raw: &RawResponse, status: u16, max_body: usize) -> Failure {
    let is_json = raw.content_type.as_deref().is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
    });
    let kind = if status == 200 && raw.known_error.is_none() && is_json {
        UnavailableKind::ProfileTooLarge
    } else {
        UnavailableKind::TooLarge
    };
    Failure::never(
        RestError::TooLarge { limit: max_body }
            .unavailable(kind)
            .with_status(status),
    )
}

/// The detail of the error for a client that followed a redirect.
const REDIRECTED: &str =
    "the HTTP client followed a redirect; build it with redirect::Policy::none()";

/// The status, or the real one when the server overrode it (`x-hexclave-actual-status` or
/// `x-stack-actual-status`).
fn effective_status(raw: &RawResponse) -> u16 {
    raw.actual_status
        .as_deref()
        .and_then(|s| s.trim().parse::<u16>().ok())
        .filter(|s| (100..600).contains(s))
        .unwrap_or(raw.status)
}

/// A redirect, or a 4xx without a Stack Auth error code (bar 408): not Stack Auth's users/me
/// answering, which names every client error it sends (PROTOCOL §4.2), but whatever else is at
/// the base URL (a wrong path, an `http` URL redirected to `https`, a proxy). Retrying cannot
/// help and the configuration must change, so it is a misconfiguration, not an outage.
fn misrouted(status: u16) -> Option<VerifyError> {
    let what = match status {
        300..=399 => "a redirect",
        408 => return None,
        400..=499 => "an error without a stack auth error code",
        _ => return None,
    };
    let error = Misconfiguration::new(MisconfigKind::InvalidRequest)
        .with_detail(format!(
            "users/me answered http {status}, {what}: check the base url and any proxy in front \
             of stack auth"
        ))
        .with_source(RestError::UnexpectedStatus {
            status,
            body: String::new(),
        });
    Some(error.into())
}

/// Only gateway errors are worth another attempt: a plain 500 is a server bug that repeats.
fn status_hint(status: u16) -> RetryHint {
    match status {
        502..=504 => RetryHint::Backoff,
        _ => RetryHint::Never,
    }
}

fn known_failure(known: known_error::KnownError, status: u16) -> Failure {
    if let Some(error) = known.to_verify_error() {
        return Failure::never(error);
    }
    if status >= 500 {
        Failure {
            error: known
                .unknown()
                .unavailable(UnavailableKind::ServerError)
                .with_status(status)
                .into(),
            hint: status_hint(status),
        }
    } else {
        let detail = known.detail();
        Failure::never(
            Misconfiguration::new(MisconfigKind::UnexpectedError)
                .with_detail(detail)
                .with_source(known.unknown()),
        )
    }
}

fn rate_limited(raw: &RawResponse, clock: &dyn Clock) -> Failure {
    let retry_after = raw
        .retry_after
        .as_deref()
        .and_then(|v| parse_retry_after(v, clock.now()));
    let mut error = stack_auth_core::Unavailable::new(
        stack_auth_core::Upstream::Api,
        UnavailableKind::RateLimited,
    )
    .with_status(429);
    if let Some(after) = retry_after {
        error = error.with_retry_after(after);
    }
    Failure {
        error: error.into(),
        hint: retry_after.map_or(RetryHint::Backoff, RetryHint::After),
    }
}

/// The user-type flags, read on their own: [`ServerUser`] defaults a missing flag to `false`,
/// which would make a profile that says nothing about its type look like a normal user's.
#[derive(Deserialize)]
struct TypeFlags {
    is_anonymous: Option<bool>,
    is_restricted: Option<bool>,
}

/// The profile in a 200 body, trusted only with a non-empty `id`, both user-type flags
/// present, and flags that agree with `restricted_reason` (anonymous ⇒ restricted; restricted
/// ⇔ a reason; anonymous ⇔ the reason is `anonymous`, as Stack Auth's own schema requires).
/// Anything else is not what Stack Auth sends, so the user type cannot be known.
fn parse_profile(body: &[u8]) -> Result<ServerUser, RestError> {
    let invalid = |why: &str| RestError::InvalidProfile(why.to_owned());
    let profile: ServerUser = serde_json::from_slice(body)
        .map_err(|e| RestError::InvalidProfile(sanitize(&e.to_string())))?;
    if profile.id.trim().is_empty() {
        return Err(invalid("id is empty"));
    }
    let flags: TypeFlags = serde_json::from_slice(body)
        .map_err(|e| RestError::InvalidProfile(sanitize(&e.to_string())))?;
    let (Some(is_anonymous), Some(is_restricted)) = (flags.is_anonymous, flags.is_restricted)
    else {
        return Err(invalid("is_anonymous or is_restricted is missing"));
    };
    let reason = profile.restricted_reason;
    if is_anonymous && !is_restricted {
        return Err(invalid("an anonymous user is not marked restricted"));
    }
    if is_restricted != reason.is_some() {
        return Err(invalid("is_restricted disagrees with restricted_reason"));
    }
    if is_anonymous != (reason == Some(RestrictedReason::Anonymous)) {
        return Err(invalid("is_anonymous disagrees with restricted_reason"));
    }
    Ok(profile)
}

impl Failure {
    /// A failure that retrying cannot fix.
    pub(crate) fn never(error: impl Into<VerifyError>) -> Self {
        Failure {
            error: error.into(),
            hint: RetryHint::Never,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stack_auth_core::SystemClock;

    #[test]
    fn actual_status_wins_when_valid() {
        let mut raw = RawResponse {
            status: 200,
            actual_status: Some("401".into()),
            ..RawResponse::default()
        };
        assert_eq!(effective_status(&raw), 401);
        raw.actual_status = Some("nope".into());
        assert_eq!(effective_status(&raw), 200);
        raw.actual_status = Some("999".into());
        assert_eq!(effective_status(&raw), 200);
    }

    #[test]
    fn a_profile_field_named_code_is_not_a_known_error() {
        let raw = RawResponse {
            status: 200,
            body: br#"{"id":"u1","is_anonymous":false,"is_restricted":false,"code":"ACCESS_TOKEN_EXPIRED"}"#.to_vec(),
            ..RawResponse::default()
        };
        let profile = classify(&raw, &SystemClock, 1 << 20).unwrap();
        assert_eq!(profile.id, "u1");
        assert!(profile.extra.contains_key("code"));
    }

    fn profile(body: &str) -> Result<ServerUser, String> {
        parse_profile(body.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_profile_must_state_its_user_type() {
        let ok = profile(r#"{"id":"u","is_anonymous":false,"is_restricted":false}"#).unwrap();
        assert_eq!(ok.user_type(), stack_auth_core::UserType::Normal);
        for body in [
            r#"{"id":"u"}"#,
            r#"{"id":"u","is_restricted":false}"#,
            r#"{"id":"u","is_anonymous":false}"#,
        ] {
            let e = profile(body).unwrap_err();
            assert!(e.contains("is missing"), "{body}: {e}");
        }
    }

    #[test]
    fn flags_that_disagree_with_restricted_reason_are_not_trusted() {
        let reason = |t: &str| format!(r#"{{"type":"{t}"}}"#);
        let body = |anon: bool, restricted: bool, reason: &str| {
            format!(
                r#"{{"id":"u","is_anonymous":{anon},"is_restricted":{restricted},"restricted_reason":{reason}}}"#
            )
        };
        let ok = [
            (false, false, "null".to_owned()),
            (false, true, reason("email_not_verified")),
            (false, true, reason("restricted_by_administrator")),
            (true, true, reason("anonymous")),
        ];
        for (a, r, why) in &ok {
            assert!(profile(&body(*a, *r, why)).is_ok(), "{a} {r} {why}");
        }
        let bad = [
            // A reason says restricted although the flag does not.
            (false, false, reason("email_not_verified")),
            (false, false, reason("anonymous")),
            (true, false, reason("anonymous")),
            (false, true, "null".to_owned()),
            (true, true, reason("email_not_verified")),
            (false, true, reason("anonymous")),
        ];
        for (a, r, why) in &bad {
            let raw = RawResponse {
                status: 200,
                body: body(*a, *r, why).into_bytes(),
                ..RawResponse::default()
            };
            let e = classify(&raw, &SystemClock, 1 << 20).unwrap_err().error;
            assert!(
                matches!(&e, VerifyError::Unavailable(u) if u.kind() == UnavailableKind::InvalidResponse),
                "{a} {r} {why}: {e:?}"
            );
        }
    }
}
