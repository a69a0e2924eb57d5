use super::*;

#[test]
fn status_and_retry_hints() {
    assert_eq!(
        VerifyError::refused(RefusalReason::Expired).http_status(),
        401
    );
    assert_eq!(
        VerifyError::refused(RefusalReason::UserTypeNotAllowed).http_status(),
        403
    );
    let u = Unavailable::new(Upstream::Api, UnavailableKind::RateLimited)
        .with_status(429)
        .with_retry_after(Duration::from_secs(7));
    let e = VerifyError::from(u);
    assert_eq!(e.http_status(), 503);
    assert!(e.is_retryable());
    assert_eq!(e.retry_after(), Some(Duration::from_secs(7)));
    assert_eq!(e.outcome_label(), "unavailable");
    let m = VerifyError::from(Misconfiguration::new(MisconfigKind::InvalidSecretServerKey));
    assert_eq!(m.http_status(), 500);
    assert!(!m.is_retryable());
    assert_eq!(m.outcome_label(), "misconfigured");
}

#[test]
fn kind_labels_match_their_serde_names() {
    use UnavailableKind as U;
    for k in [
        U::Connect,
        U::Timeout,
        U::ServerError,
        U::RateLimited,
        U::InvalidResponse,
        U::TooLarge,
        U::ProfileTooLarge,
        U::CircuitOpen,
        U::NoUsableKeys,
    ] {
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            format!("\"{}\"", k.as_str())
        );
    }
    use MisconfigKind as M;
    for k in [
        M::InvalidSecretServerKey,
        M::MissingSecretServerKey,
        M::ProjectNotFound,
        M::InvalidRequest,
        M::UnexpectedError,
        M::FeatureDisabled,
    ] {
        assert_eq!(
            serde_json::to_string(&k).unwrap(),
            format!("\"{}\"", k.as_str())
        );
    }
}

#[test]
fn labels_round_trip_and_are_unique() {
    let mut seen = std::collections::HashSet::new();
    for r in RefusalReason::ALL {
        assert!(seen.insert(r.as_str()));
        assert_eq!(RefusalReason::from_label(r.as_str()), Some(r));
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(json, format!("\"{}\"", r.as_str()));
    }
    assert_eq!(RefusalReason::from_label("nope"), None);
}

#[test]
fn display_is_lower_case_without_period() {
    let e = VerifyError::from(Refusal::new(RefusalReason::WrongIssuer).with_detail("expected x"));
    assert_eq!(e.to_string(), "token refused: wrong_issuer (expected x)");
    let io = std::io::Error::new(std::io::ErrorKind::TimedOut, "deadline");
    let e = VerifyError::from(
        Unavailable::new(Upstream::Jwks, UnavailableKind::Timeout).with_source(io),
    );
    assert_eq!(e.to_string(), "jwks endpoint unavailable: timed out");
    let src = std::error::Error::source(&e).unwrap();
    assert_eq!(src.to_string(), "deadline");
    for e in [e.clone(), VerifyError::refused(RefusalReason::Malformed)] {
        let s = e.to_string();
        assert!(!s.ends_with('.'));
        assert_eq!(s, s.to_lowercase());
    }
}
