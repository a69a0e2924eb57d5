//! Turning one server-API answer (or the failure to get one) into the endpoint's result or a
//! [`Failure`] that says whether trying again can help. Every endpoint's answers are read the
//! same way; the [`Endpoint`] adds only what is its own.

use stack_auth_core::{
    parse_retry_after, Clock, MisconfigKind, Misconfiguration, UnavailableKind, VerifyError,
};

use crate::{
    endpoint::Endpoint,
    error::{sanitize, RestError},
    known_error,
    request::{RawResponse, TransportError},
    retry::{Failure, RetryHint},
};

/// The endpoint's result for a 200 answer (or an answer of its own), or what went wrong.
pub(crate) fn classify<E: Endpoint + ?Sized>(
    raw: &RawResponse,
    endpoint: &E,
    clock: &dyn Clock,
    max_body: usize,
) -> Result<E::Output, Failure> {
    let status = effective_status(raw);
    if status == 429 {
        return Err(rate_limited(raw, clock));
    }
    if raw.body_over_cap {
        return Err(over_cap(
            raw,
            status,
            max_body,
            endpoint.oversize_is_about_the_subject(),
        ));
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
            return match endpoint.known(&known) {
                Some(answer) => answer.map_err(Failure::never),
                None => Err(known_failure(known, status)),
            };
        }
    }
    if (400..500).contains(&status) && status != 408 {
        let text = sanitize(&String::from_utf8_lossy(&raw.body));
        if let Some(error) = endpoint.plain_client_error(status, &text) {
            return Err(Failure::never(error));
        }
    }
    if let Some(error) = misrouted(status, endpoint.name()) {
        return Err(Failure::never(error));
    }
    match status {
        200 => endpoint.parse(&raw.body).map_err(|e| {
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

/// An answer whose body is over the cap. A 200 JSON answer without a known error, from an
/// endpoint answering about one subject, is Stack Auth answering, healthily, with a profile
/// larger than the cap: users write their own metadata, without a size limit, so it concerns
/// this one subject ([`UnavailableKind::ProfileTooLarge`], which the circuit breaker does not
/// count). Anything else that large is not what Stack Auth sends
/// ([`UnavailableKind::TooLarge`], an upstream failure). Neither is retried.
fn over_cap(raw: &RawResponse, status: u16, max_body: usize, about_subject: bool) -> Failure {
    let is_json = raw.content_type.as_deref().is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
    });
    let kind = if about_subject && status == 200 && raw.known_error.is_none() && is_json {
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

/// A redirect, or a 4xx without a Stack Auth error code (bar 408): not Stack Auth's endpoint
/// answering, which names every client error it sends (PROTOCOL §4.2; an endpoint's own
/// plain-text errors were read before), but whatever else is at the base URL (a wrong path, an
/// `http` URL redirected to `https`, a proxy). Retrying cannot help and the configuration must
/// change, so it is a misconfiguration, not an outage.
fn misrouted(status: u16, endpoint: &str) -> Option<VerifyError> {
    let what = match status {
        300..=399 => "a redirect",
        408 => return None,
        400..=499 => "an error without a stack auth error code",
        _ => return None,
    };
    let error = Misconfiguration::new(MisconfigKind::InvalidRequest)
        .with_detail(format!(
            "{endpoint} answered http {status}, {what}: check the base url and any proxy in front \
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
}
