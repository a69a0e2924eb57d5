//! Fetching the JWKS document over HTTP, hardened: a total deadline, a size cap, status 200
//! only, no redirects (PROTOCOL §2).

use std::{
    sync::Arc,
    time::{Duration, SystemTime},
};

use reqwest::{header, Client, StatusCode};
use stack_auth_core::{
    parse_retry_after, Clock, MisconfigKind, Misconfiguration, Unavailable, UnavailableKind,
    Upstream, VerifyError,
};
use url::Url;

use crate::keys::JwksDocError;

/// The query that selects every key of the project (normal, restricted and anonymous); the
/// server rejects unknown parameters, so nothing else is ever added.
pub(crate) const FULL_KEY_SET_QUERY: &str = "include_anonymous=true";

/// Longest `Retry-After` honoured; a larger value is treated as this.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);

/// A fetched JWKS body and what its headers say about caching.
#[derive(Debug)]
pub(crate) struct FetchedDoc {
    pub(crate) body: Vec<u8>,
    /// `max-age` (zero for `no-store`/`no-cache`), if the response said.
    pub(crate) max_age: Option<Duration>,
}

/// Why a fetch failed, before it is turned into the public [`VerifyError`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum FetchError {
    #[error("could not reach the JWKS endpoint")]
    Connect(#[source] reqwest::Error),
    #[error("the JWKS request did not complete in time")]
    Timeout,
    #[error("the JWKS endpoint answered with status {status}")]
    Status {
        status: u16,
        retry_after: Option<Duration>,
    },
    #[error("the JWKS endpoint redirected; redirects are not followed")]
    Redirected,
    #[error("the JWKS response is larger than {limit} bytes")]
    TooLarge { limit: usize },
    #[error("invalid JWKS response")]
    Invalid(#[source] JwksDocError),
    #[error("no tokio runtime to run the JWKS fetch on")]
    NoRuntime,
}

impl FetchError {
    /// The public error: unavailable (503), except a 404, which means the project does not exist
    /// at this deployment (misconfigured, 500).
    pub(crate) fn into_verify_error(self) -> VerifyError {
        let kind = match &self {
            FetchError::Connect(_) => UnavailableKind::Connect,
            FetchError::NoRuntime => {
                return Misconfiguration::new(MisconfigKind::UnexpectedError)
                    .with_detail("verification needs a tokio runtime to fetch keys on")
                    .into();
            }
            FetchError::Timeout => UnavailableKind::Timeout,
            FetchError::Status { status: 404, .. } => {
                return Misconfiguration::new(MisconfigKind::ProjectNotFound)
                    .with_detail(
                        "the JWKS endpoint answered 404: unknown project or wrong base url",
                    )
                    .into();
            }
            FetchError::Status { status: 429, .. } => UnavailableKind::RateLimited,
            FetchError::Status { .. } => UnavailableKind::ServerError,
            FetchError::Redirected | FetchError::Invalid(_) => UnavailableKind::InvalidResponse,
            FetchError::TooLarge { .. } => UnavailableKind::TooLarge,
        };
        let mut out = Unavailable::new(Upstream::Jwks, kind);
        if let FetchError::Status {
            status,
            retry_after,
        } = &self
        {
            out = out.with_status(*status);
            if let Some(r) = retry_after {
                out = out.with_retry_after(*r);
            }
        }
        out.with_source(self).into()
    }

    /// The HTTP status the endpoint answered with, when the failure is about it.
    pub(crate) fn status(&self) -> Option<u16> {
        match self {
            FetchError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// How long the endpoint asked us to wait, when it said.
    pub(crate) fn retry_after(&self) -> Option<Duration> {
        match self {
            FetchError::Status { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// Fetches one URL with the configured limits.
#[derive(Debug, Clone)]
pub(crate) struct Fetcher {
    pub(crate) client: Client,
    pub(crate) url: Url,
    pub(crate) timeout: Duration,
    pub(crate) max_bytes: usize,
    /// The wall clock an HTTP-date `Retry-After` is measured from.
    pub(crate) clock: Arc<dyn Clock>,
}

impl Fetcher {
    /// GETs the JWKS within the total deadline.
    pub(crate) async fn fetch(&self) -> Result<FetchedDoc, FetchError> {
        match tokio::time::timeout(self.timeout, self.fetch_unbounded()).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout),
        }
    }

    async fn fetch_unbounded(&self) -> Result<FetchedDoc, FetchError> {
        let mut response = self
            .client
            .get(self.url.clone())
            .header(header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(classify)?;
        if response.url() != &self.url {
            return Err(FetchError::Redirected);
        }
        let status = response.status();
        if status != StatusCode::OK {
            return Err(if status.is_redirection() {
                FetchError::Redirected
            } else {
                FetchError::Status {
                    status: status.as_u16(),
                    retry_after: retry_after(response.headers(), self.clock.now()),
                }
            });
        }
        let max_age = max_age(response.headers());
        let limit = self.max_bytes;
        if response
            .content_length()
            .is_some_and(|len| len > limit as u64)
        {
            return Err(FetchError::TooLarge { limit });
        }
        let mut body = Vec::with_capacity(response.content_length().map_or(4096, |l| l as usize));
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > limit {
                return Err(FetchError::TooLarge { limit });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(FetchedDoc { body, max_age })
    }
}

fn classify(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_redirect() {
        FetchError::Redirected
    } else {
        FetchError::Connect(e)
    }
}

/// The `max-age` of the `Cache-Control` headers; `no-store`/`no-cache` count as zero.
pub(crate) fn max_age(headers: &header::HeaderMap) -> Option<Duration> {
    let mut found = None;
    for value in headers.get_all(header::CACHE_CONTROL) {
        let Ok(value) = value.to_str() else { continue };
        for directive in value.split(',') {
            let directive = directive.trim();
            let (name, arg) = directive.split_once('=').unwrap_or((directive, ""));
            let name = name.trim();
            if name.eq_ignore_ascii_case("no-store") || name.eq_ignore_ascii_case("no-cache") {
                return Some(Duration::ZERO);
            }
            if name.eq_ignore_ascii_case("max-age") {
                if let Ok(secs) = arg.trim().trim_matches('"').parse::<u64>() {
                    found = Some(Duration::from_secs(secs));
                }
            }
        }
    }
    found
}

/// `Retry-After` as delay-seconds or an HTTP-date from `now` (core's one reading,
/// [`parse_retry_after`]), capped at [`MAX_RETRY_AFTER`].
fn retry_after(headers: &header::HeaderMap, now: SystemTime) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?;
    Some(parse_retry_after(value, now)?.min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> header::HeaderMap {
        let mut h = header::HeaderMap::new();
        for v in values {
            h.append(header::CACHE_CONTROL, v.parse().unwrap());
        }
        h
    }

    #[test]
    fn reads_max_age() {
        let cases: [(&[&str], Option<u64>); 9] = [
            (&["public, max-age=3600"], Some(3600)),
            (&["max-age=60"], Some(60)),
            (&["MAX-AGE = 5 , public"], Some(5)),
            (&["max-age=\"42\""], Some(42)),
            (&["public", "max-age=7"], Some(7)),
            (&["no-store, max-age=0"], Some(0)),
            (&["max-age=600, no-cache"], Some(0)),
            (&["public"], None),
            (&["max-age=abc", "s-maxage=9"], None),
        ];
        for (values, want) in cases {
            assert_eq!(
                max_age(&headers(values)),
                want.map(Duration::from_secs),
                "{values:?}"
            );
        }
        assert_eq!(max_age(&header::HeaderMap::new()), None);
    }

    #[test]
    fn reads_retry_after_in_both_forms() {
        // 1445412480 is Wed, 21 Oct 2015 07:28:00 GMT.
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let mut h = header::HeaderMap::new();
        assert_eq!(retry_after(&h, now), None);
        h.insert(header::RETRY_AFTER, "12".parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(12)));
        h.insert(header::RETRY_AFTER, "999999".parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(MAX_RETRY_AFTER));
        // The HTTP-date form (it was ignored): measured from the wall clock, capped too.
        let in_90_s = "Wed, 21 Oct 2015 07:29:30 GMT";
        h.insert(header::RETRY_AFTER, in_90_s.parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(90)));
        let next_day = "Thu, 22 Oct 2015 07:28:00 GMT";
        h.insert(header::RETRY_AFTER, next_day.parse().unwrap());
        assert_eq!(retry_after(&h, now), Some(MAX_RETRY_AFTER));
        h.insert(header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h, now), None);
    }

    #[test]
    fn errors_map_to_what_the_caller_should_do() {
        let e = FetchError::Status {
            status: 503,
            retry_after: Some(Duration::from_secs(3)),
        };
        let v = e.into_verify_error();
        assert_eq!(v.http_status(), 503);
        assert_eq!(v.retry_after(), Some(Duration::from_secs(3)));
        let VerifyError::Unavailable(u) = v else {
            panic!("not unavailable")
        };
        assert_eq!(
            (u.upstream(), u.kind(), u.status()),
            (Upstream::Jwks, UnavailableKind::ServerError, Some(503))
        );
        let rl = FetchError::Status {
            status: 429,
            retry_after: None,
        }
        .into_verify_error();
        assert!(
            matches!(rl, VerifyError::Unavailable(u) if u.kind() == UnavailableKind::RateLimited)
        );
        let nf = FetchError::Status {
            status: 404,
            retry_after: None,
        }
        .into_verify_error();
        assert_eq!(nf.http_status(), 500);
        for (e, kind) in [
            (FetchError::Timeout, UnavailableKind::Timeout),
            (FetchError::Redirected, UnavailableKind::InvalidResponse),
            (FetchError::TooLarge { limit: 1 }, UnavailableKind::TooLarge),
            (
                FetchError::Invalid(JwksDocError::NotJwks),
                UnavailableKind::InvalidResponse,
            ),
        ] {
            let v = e.into_verify_error();
            assert!(v.is_retryable());
            assert!(matches!(v, VerifyError::Unavailable(u) if u.kind() == kind));
        }
        let no_runtime = FetchError::NoRuntime.into_verify_error();
        assert!(
            !no_runtime.is_retryable(),
            "a missing runtime is a setup error"
        );
        assert_eq!(no_runtime.http_status(), 500);
    }
}
