//! The local look at a token before users/me is asked about it: only what has the shape of an
//! access token (PROTOCOL §1.2: a compact JWS whose protected header names `alg` and `kid`)
//! costs a request carrying the secret server key. Nothing here is verified; Stack Auth
//! decides the rest.

use reqwest::header::HeaderValue;
use stack_auth_core::{jws::UnverifiedJws, Refusal, RefusalReason, VerifyError};

/// What the screen learned about a token that passed it.
#[derive(Debug, Clone)]
pub(crate) struct Screened {
    /// The token as a header value.
    pub(crate) header: HeaderValue,
    /// The payload's `exp` (unverified), when it is an integer: it only bounds how long Stack
    /// Auth's answer is cached.
    pub(crate) exp: Option<i64>,
    /// The payload's `sub` (unverified), when it is a string: it only lets an eviction about
    /// that user find a cached refusal of the token.
    pub(crate) sub: Option<String>,
}

/// The token as a header value (and its unverified `exp`), or a local refusal when it cannot
/// be an access token by the rules every verifier of this SDK shares
/// ([`stack_auth_core::jws`]): `malformed` when it is empty, longer than
/// [`MAX_TOKEN_LEN`](stack_auth_core::MAX_TOKEN_LEN), is not three base64url segments (the
/// signature not empty), has a protected header that is not a JSON object naming a string
/// `alg` and a non-empty string `kid` (without `crit`), or a payload that is not a JSON object;
/// `unsupported_algorithm` when `alg` is not `ES256` (the only algorithm Stack Auth signs with;
/// it refuses any other). Keys, signatures and claims are left to Stack Auth.
///
/// # Errors
///
/// [`RefusalReason::Malformed`] (with a detail saying which rule failed) or
/// [`RefusalReason::UnsupportedAlgorithm`].
pub(crate) fn screen(token: &str) -> Result<Screened, VerifyError> {
    let jws = UnverifiedJws::parse(token)?;
    // Base64url segments and dots are visible ASCII, so this only fails on a bug.
    let header = HeaderValue::from_str(token).map_err(|_| {
        VerifyError::from(
            Refusal::new(RefusalReason::Malformed).with_detail("token is not a valid header value"),
        )
    })?;
    Ok(Screened {
        header,
        exp: jws.exp(),
        sub: jws
            .payload()
            .get("sub")
            .and_then(|s| s.as_str())
            .map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
    use stack_auth_core::MAX_TOKEN_LEN;

    use super::*;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    fn jws(header: &str, payload: &str, signature: &str) -> String {
        format!("{}.{}.{}", b64(header), b64(payload), b64(signature))
    }

    const HEADER: &str = r#"{"alg":"ES256","kid":"k1"}"#;

    #[test]
    fn a_token_shaped_string_passes() {
        let screened = screen(&jws(HEADER, r#"{"sub":"u","exp":7}"#, "sig")).unwrap();
        assert_eq!(screened.exp, Some(7));
        // The screen leaves keys, signatures and claims to Stack Auth.
        assert!(screen(&jws(r#"{"alg":"ES256","kid":"unknown"}"#, "{}", "sig")).is_ok());
    }

    #[test]
    fn another_algorithm_is_refused_as_unsupported() {
        for header in [
            r#"{"alg":"none","kid":"k1"}"#,
            r#"{"alg":"HS256","kid":"k1"}"#,
        ] {
            let e = screen(&format!("{}.{}.", b64(header), b64("{}"))).unwrap_err();
            assert_eq!(
                e.refusal_reason(),
                Some(RefusalReason::UnsupportedAlgorithm)
            );
        }
    }

    #[test]
    fn strings_that_cannot_be_an_access_token_are_malformed() {
        let long = "a".repeat(MAX_TOKEN_LEN + 1);
        let cases = [
            String::new(),
            long,
            "not a token".to_owned(),
            "opaque".to_owned(),
            "a.b".to_owned(),
            "a.b.c.d".to_owned(),
            format!("{}.{}.", b64(HEADER), b64("{}")),
            format!("{}.{}.***", b64(HEADER), b64("{}")),
            format!("{}=.{}.{}", b64(HEADER), b64("{}"), b64("s")),
            jws("[1]", "{}", "sig"),
            jws("{\"alg\":\"ES256\"}", "{}", "sig"),
            jws("{\"kid\":\"k1\"}", "{}", "sig"),
            jws(r#"{"alg":"ES256","kid":""}"#, "{}", "sig"),
            jws(r#"{"alg":1,"kid":"k1"}"#, "{}", "sig"),
            jws(HEADER, "not json", "sig"),
            jws(HEADER, "[]", "sig"),
        ];
        for token in cases {
            let e = screen(&token).unwrap_err();
            assert_eq!(
                e.refusal_reason(),
                Some(RefusalReason::Malformed),
                "{token:.40}"
            );
        }
    }
}
