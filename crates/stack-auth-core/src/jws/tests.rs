use std::time::{Duration, UNIX_EPOCH};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};

use super::*;

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

fn jws(header: &str, payload: &str, signature: &[u8]) -> String {
    format!(
        "{}.{}.{}",
        b64(header),
        b64(payload),
        URL_SAFE_NO_PAD.encode(signature)
    )
}

fn header_reason(header_json: &str) -> RefusalReason {
    Header::parse(header_json.as_bytes()).unwrap_err().reason()
}

const HEADER: &str = r#"{"alg":"ES256","kid":"n0EcVSMdeW8t"}"#;

#[test]
fn splits_exactly_three_segments() {
    let p = Segments::split("aa.bbb.c").unwrap();
    assert_eq!((p.header(), p.payload(), p.signature()), ("aa", "bbb", "c"));
    assert_eq!(p.signing_input(), "aa.bbb");
    let p = Segments::split("..").unwrap();
    assert_eq!((p.header(), p.payload(), p.signature()), ("", "", ""));
    for bad in ["", "a", "a.b", "a.b.c.d", "a.b.c."] {
        let e = Segments::split(bad).unwrap_err();
        assert_eq!(e.reason(), RefusalReason::Malformed, "{bad}");
    }
    let huge = format!("a.{}.c", "b".repeat(MAX_TOKEN_LEN));
    let e = Segments::split(&huge).unwrap_err();
    assert_eq!(e.reason(), RefusalReason::Malformed);
    let just_fits = format!("a.{}.c", "b".repeat(MAX_TOKEN_LEN - 4));
    assert!(Segments::split(&just_fits).is_ok());
}

#[test]
fn accepts_the_header_stack_auth_sends() {
    let h = Header::parse(HEADER.as_bytes()).unwrap();
    assert_eq!((h.kid(), h.alg()), ("n0EcVSMdeW8t", "ES256"));
    let h = Header::parse(br#" {"typ":"JWT","kid":"k","alg":"ES256","x5u":"https://e"}"#).unwrap();
    assert_eq!(h.kid(), "k");
}

#[test]
fn refuses_other_algorithms() {
    for alg in ["none", "HS256", "RS256", "ES384", "es256", "EdDSA", ""] {
        let json = format!(r#"{{"alg":"{alg}","kid":"k"}}"#);
        assert_eq!(
            header_reason(&json),
            RefusalReason::UnsupportedAlgorithm,
            "{alg}"
        );
    }
}

#[test]
fn refuses_malformed_headers() {
    for json in [
        r#"{"kid":"k"}"#,
        r#"{"alg":null,"kid":"k"}"#,
        r#"{"alg":["ES256"],"kid":"k"}"#,
        r#"{"alg":"ES256"}"#,
        r#"{"alg":"ES256","kid":7}"#,
        r#"{"alg":"ES256","kid":null}"#,
        r#"{"alg":"ES256","kid":"k","crit":["b64"],"b64":false}"#,
        r#"{"alg":"ES256","kid":"k","crit":[]}"#,
        r#"{"alg":"ES256","kid":"k","crit":null}"#,
        r#"{"alg":"ES256","alg":"ES256","kid":"k"}"#,
        r#"["ES256","k"]"#,
        r#""ES256""#,
        "hello",
        r#"{"alg":"ES256","kid":"k"} trailing"#,
    ] {
        assert_eq!(header_reason(json), RefusalReason::Malformed, "{json}");
    }
    for segment in ["!!!", "eyJ=", "e yJ", "a"] {
        let token = format!("{segment}.{}.c2ln", b64("{}"));
        let e = UnverifiedJws::parse(&token).unwrap_err();
        assert_eq!(e.reason(), RefusalReason::Malformed, "{segment}");
    }
}

/// One rule for every verifier: real tokens always carry a 12-character `kid`.
#[test]
fn an_empty_kid_is_malformed() {
    let e = Header::parse(br#"{"alg":"ES256","kid":""}"#).unwrap_err();
    assert_eq!(e.reason(), RefusalReason::Malformed);
    assert_eq!(e.detail(), Some("kid is empty"));
    let token = jws(r#"{"alg":"ES256","kid":""}"#, "{}", &[1; 64]);
    let e = UnverifiedJws::parse(&token).unwrap_err();
    assert_eq!(e.reason(), RefusalReason::Malformed);
}

#[test]
fn parses_in_one_pass() {
    let token = jws(HEADER, r#"{"sub":"u","exp":1700000000}"#, &[7; 64]);
    let parsed = UnverifiedJws::parse(&token).unwrap();
    assert_eq!(parsed.kid(), "n0EcVSMdeW8t");
    assert_eq!(parsed.signature(), &[7; 64]);
    assert_eq!(parsed.es256_signature().unwrap(), &[7u8; 64].to_vec());
    assert_eq!(parsed.exp(), Some(1_700_000_000));
    assert_eq!(parsed.payload()["sub"], "u");
    let dot = token.rfind('.').unwrap();
    assert_eq!(parsed.signing_input(), &token.as_bytes()[..dot]);
    assert_eq!(parsed.segments().signature(), &token[dot + 1..]);
    let shown = format!("{parsed:?}");
    assert!(
        shown.contains("n0EcVSMdeW8t") && !shown.contains("sub"),
        "{shown}"
    );
}

#[test]
fn signatures_and_payloads() {
    // An empty signature segment is an unsecured JWS, not a signature.
    let unsecured = format!("{}.{}.", b64(HEADER), b64("{}"));
    let e = UnverifiedJws::parse(&unsecured).unwrap_err();
    assert_eq!(e.reason(), RefusalReason::Malformed);
    // A signature of the wrong length parses, but is no ES256 signature.
    for len in [1, 63, 65] {
        let parsed_token = jws(HEADER, "{}", &vec![1; len]);
        let parsed = UnverifiedJws::parse(&parsed_token).unwrap();
        let e = parsed.es256_signature().unwrap_err();
        assert_eq!(e.reason(), RefusalReason::BadSignature, "{len}");
    }
    for payload in ["not json", "[]", "7", r#""s""#] {
        let e = UnverifiedJws::parse(&jws(HEADER, payload, &[1; 64])).unwrap_err();
        assert_eq!(e.reason(), RefusalReason::Malformed, "{payload}");
    }
    let padded = format!("{}=.{}.{}", b64(HEADER), b64("{}"), b64("s"));
    let e = UnverifiedJws::parse(&padded).unwrap_err();
    assert_eq!(e.reason(), RefusalReason::Malformed);
}

#[test]
fn claims_come_from_the_one_parsed_payload() {
    let payload = r#"{"sub":"u","project_id":"p","branch_id":"main","iss":"i","aud":"p","exp":5}"#;
    let claims = UnverifiedJws::parse(&jws(HEADER, payload, &[1; 64]))
        .unwrap()
        .into_claims()
        .unwrap();
    assert_eq!((claims.sub.as_str(), claims.exp), ("u", 5));
    let token = jws(HEADER, r#"{"sub":"u"}"#, &[1; 64]);
    let no_aud = UnverifiedJws::parse(&token).unwrap();
    let e = no_aud.into_claims().unwrap_err();
    assert_eq!(e.reason(), RefusalReason::WrongAudience);
}

/// The expiry boundary every verifier shares: `now >= exp + leeway` is expired.
#[test]
fn the_expiry_boundary() {
    let at = |ms: u64| UNIX_EPOCH + Duration::from_millis(ms);
    let exp = 1_000;
    let none = Duration::ZERO;
    assert_eq!(
        check_expiry(exp, at(999_999), none),
        Ok(Duration::from_secs(1))
    );
    // jose: expired from the second `exp` itself, also part-way through it.
    for now in [1_000_000, 1_000_999, 1_001_000] {
        let e = check_expiry(exp, at(now), none).unwrap_err();
        assert_eq!(e.reason(), RefusalReason::Expired, "{now}");
    }
    let leeway = Duration::from_secs(60);
    assert_eq!(
        check_expiry(exp, at(1_059_999), leeway),
        Ok(Duration::from_secs(1))
    );
    assert!(check_expiry(exp, at(1_060_000), leeway).is_err());
    // A sub-second leeway counts as a whole second, never as none.
    assert!(check_expiry(exp, at(1_000_000), Duration::from_millis(1)).is_ok());
    assert!(check_expiry(exp, at(1_001_000), Duration::from_millis(1)).is_err());
    // Extremes neither panic nor wrap.
    assert!(check_expiry(i64::MIN, at(0), none).is_err());
    assert!(check_expiry(i64::MAX, at(0), Duration::MAX).is_ok());
    assert!(check_expiry(1, UNIX_EPOCH - Duration::from_secs(9), none).is_ok());
}

/// One reason everywhere: `aud` names the project (the server takes it from there), so a
/// `project_id` claim naming another is a contradiction, not another project's token.
#[test]
fn a_project_id_that_disagrees_with_aud_is_inconsistent() {
    let claims = |project_id: &str, aud: &str| {
        let payload = format!(
            r#"{{"sub":"u","project_id":"{project_id}","branch_id":"main","iss":"i","aud":"{aud}","exp":5,
                "is_anonymous":false,"is_restricted":false,"restricted_reason":null}}"#
        );
        UnverifiedJws::parse(&jws(HEADER, &payload, &[1; 64]))
            .unwrap()
            .into_claims()
            .unwrap()
    };
    assert!(claims("p", "p").check_consistency().is_ok());
    let e = claims("q", "p").check_consistency().unwrap_err();
    assert_eq!(e.reason(), RefusalReason::InconsistentClaims);
    assert_eq!(e.detail(), Some("project_id disagrees with aud"));
    let e = claims("p:x", "p").check_consistency().unwrap_err();
    assert_eq!(e.reason(), RefusalReason::InconsistentClaims);
}
