//! Property tests (issue 10) for the hostile-input surfaces of the core crate, with generated
//! structured inputs: cookie lists, `x-stack-auth` JSON and the official client's
//! `Authorization: Bearer stackauth_…` JSON with arbitrary values, and token payloads of
//! arbitrary JSON. Each property states the documented outcome, not just "no panic".
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::{engine::general_purpose::STANDARD, Engine as _};
use http::{HeaderMap, HeaderValue};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use stack_auth_core::{
    extract_token, AccessTokenClaims, ExtractError, RefusalReason, RestrictedReason, TokenSource,
    MAX_TOKEN_LEN,
};

/// Bounded, fast: runs in `cargo test --workspace`.
fn config() -> ProptestConfig {
    ProptestConfig::with_cases(256)
}

/// Any JSON value, a few levels deep, strings ASCII or not.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        "[ -~]{0,24}".prop_map(Value::String),
        any::<String>().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map("[a-zA-Z_]{0,10}", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn token() -> impl Strategy<Value = String> {
    "[A-Za-z0-9_-]{1,40}\\.[A-Za-z0-9_-]{1,60}\\.[A-Za-z0-9_-]{1,40}"
}

/// What `extract_token` must make of a token string found inside a JSON source.
fn expected_from_json_string(t: &str, source: TokenSource) -> Result<Option<String>, ExtractError> {
    let t = t.trim();
    if t.len() > MAX_TOKEN_LEN {
        Err(ExtractError::TooLarge(source))
    } else if t.bytes().any(|b| !b.is_ascii_graphic()) {
        Err(ExtractError::Malformed(
            source,
            "token has spaces or control characters",
        ))
    } else {
        Ok((!t.is_empty()).then(|| t.to_owned()))
    }
}

fn extracted(headers: &HeaderMap) -> Result<Option<String>, ExtractError> {
    extract_token(headers).map(|t| t.map(|t| t.into_string()))
}

/// One cookie `name=value` that is not `stack-access`.
fn other_cookie() -> impl Strategy<Value = String> {
    (
        prop_oneof![
            Just("theme".to_owned()),
            Just("stack-refresh".to_owned()),
            Just("stack-access-x".to_owned()),
            Just("xstack-access".to_owned()),
            "[a-z]{1,8}"
        ],
        "[!#-+.-:<-\\[\\]-~]{0,20}",
    )
        .prop_filter("not the token cookie", |(n, _)| n != "stack-access")
        .prop_map(|(n, v)| format!("{n}={v}"))
}

fn stack_access(refresh: &str, token: &str) -> String {
    format!("stack-access=%5B%22{refresh}%22%2C%22{token}%22%5D")
}

proptest! {
    #![proptest_config(config())]

    /// The `stack-access` cookie is found wherever it sits among other cookies, in one `Cookie`
    /// header or spread over several, repeated identically or not at all.
    #[test]
    fn the_token_cookie_is_found_among_any_others(
        before in prop::collection::vec(other_cookie(), 0..5),
        after in prop::collection::vec(other_cookie(), 0..5),
        token in token(),
        refresh in "[A-Za-z0-9_-]{0,30}",
        present in any::<bool>(),
        repeated in any::<bool>(),
        split in any::<bool>(),
    ) {
        let mut cookies = before.clone();
        if present {
            cookies.push(stack_access(&refresh, &token));
            if repeated {
                cookies.push(stack_access(&refresh, &token));
            }
        }
        cookies.extend(after);
        let mut headers = HeaderMap::new();
        if split {
            for c in &cookies {
                headers.append("cookie", HeaderValue::from_str(c).unwrap());
            }
        } else if !cookies.is_empty() {
            headers.insert("cookie", HeaderValue::from_str(&cookies.join("; ")).unwrap());
        }
        let got = extract_token(&headers).unwrap();
        match got {
            Some(t) => {
                prop_assert!(present);
                prop_assert_eq!(t.source(), TokenSource::StackAccessCookie);
                prop_assert_eq!(t.as_str(), token.as_str());
            }
            None => prop_assert!(!present),
        }
    }

    /// Two different `stack-access` cookies are ambiguous, never "the first one wins".
    #[test]
    fn two_different_token_cookies_are_ambiguous(
        others in prop::collection::vec(other_cookie(), 0..4),
        a in token(),
        b in token(),
    ) {
        prop_assume!(a != b);
        let mut cookies = others;
        cookies.insert(0, stack_access("r", &a));
        cookies.push(stack_access("r", &b));
        let mut headers = HeaderMap::new();
        headers.insert("cookie", HeaderValue::from_str(&cookies.join("; ")).unwrap());
        prop_assert_eq!(extracted(&headers), Err(ExtractError::Ambiguous(TokenSource::StackAccessCookie)));
    }

    /// `x-stack-auth` with any JSON: an object's `accessToken` string is the token (trimmed;
    /// empty is none; invisible characters malformed), null or missing is none, any other type
    /// or a non-object is malformed; non-ASCII text in the header is malformed.
    #[test]
    fn x_stack_auth_with_arbitrary_json(
        mut object in prop::collection::btree_map("[a-zA-Z]{1,12}", json_value(), 0..5),
        access in prop::option::of(json_value()),
        wrap_in_array in any::<bool>(),
    ) {
        object.remove("accessToken");
        if let Some(v) = &access {
            object.insert("accessToken".to_owned(), v.clone());
        }
        let body = Value::Object(object.into_iter().collect::<Map<_, _>>());
        let body = if wrap_in_array { json!([body]) } else { body };
        let text = serde_json::to_string(&body).unwrap();
        let Ok(value) = HeaderValue::from_str(&text) else {
            return Ok(()); // `http` itself refuses it: nothing to extract from
        };
        let mut headers = HeaderMap::new();
        headers.insert("x-stack-auth", value);
        let src = TokenSource::StackAuthHeader;
        let expected = if !text.bytes().all(|b| b == b' ' || b == b'\t' || b.is_ascii_graphic()) {
            Err(ExtractError::Malformed(src, "not visible ASCII"))
        } else if wrap_in_array {
            Err(ExtractError::Malformed(src, "not a JSON object"))
        } else {
            match &access {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(t)) => expected_from_json_string(t, src),
                Some(_) => Err(ExtractError::Malformed(src, "accessToken is not a string")),
            }
        };
        prop_assert_eq!(extracted(&headers), expected);
    }

    /// `Authorization: Bearer stackauth_…` / `hexclave_…` built as the official client builds it
    /// (standard padded base64 of the JSON) from any JSON: an object's string `accessToken` is
    /// the token, null or missing is none (and stops the search: the cookie behind it is not
    /// read), a non-object or a field of another type is malformed.
    #[test]
    fn authorization_auth_json_with_arbitrary_json(
        mut object in prop::collection::btree_map("[a-zA-Z]{1,12}", json_value(), 0..5),
        access in prop::option::of(json_value()),
        refresh in prop::option::of(json_value()),
        wrap_in_array in any::<bool>(),
        hexclave in any::<bool>(),
        cookie_token in token(),
    ) {
        object.remove("accessToken");
        object.remove("refreshToken");
        for (name, v) in [("accessToken", &access), ("refreshToken", &refresh)] {
            if let Some(v) = v {
                object.insert(name.to_owned(), v.clone());
            }
        }
        let body = Value::Object(object.into_iter().collect::<Map<_, _>>());
        let body = if wrap_in_array { json!([body]) } else { body };
        let prefix = if hexclave { "hexclave_" } else { "stackauth_" };
        let value = format!("Bearer {prefix}{}", STANDARD.encode(body.to_string()));
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_str(&value).unwrap());
        headers.insert("cookie", HeaderValue::from_str(&stack_access("r", &cookie_token)).unwrap());
        let src = TokenSource::AuthorizationBearerAuthJson;
        let malformed = |why| Err(ExtractError::Malformed(src, why));
        let refresh_ok = matches!(refresh, None | Some(Value::Null | Value::String(_)));
        let expected = if wrap_in_array {
            malformed("auth JSON is not an object")
        } else if !refresh_ok {
            malformed("refreshToken is not a string or null")
        } else {
            match &access {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(t)) => expected_from_json_string(t, src),
                Some(_) => malformed("accessToken is not a string or null"),
            }
        };
        prop_assert_eq!(extracted(&headers), expected);
    }

    /// A token payload of arbitrary JSON never panics and is refused with the documented reason:
    /// `wrong_audience` when `aud` is missing or not a string, else `wrong_issuer` when `iss` is,
    /// else `malformed` when the rest does not fit.
    #[test]
    fn claims_of_arbitrary_json_are_refused_precisely(
        mut object in prop::collection::btree_map(
            prop_oneof![
                Just("sub".to_owned()), Just("aud".to_owned()), Just("iss".to_owned()),
                Just("exp".to_owned()), Just("project_id".to_owned()),
                Just("branch_id".to_owned()), Just("is_anonymous".to_owned()),
                Just("restricted_reason".to_owned()), "[a-z_]{1,12}",
            ],
            json_value(),
            0..8,
        ),
        string_aud in any::<bool>(),
        string_iss in any::<bool>(),
    ) {
        if string_aud {
            object.insert("aud".to_owned(), json!("p"));
        }
        if string_iss {
            object.insert("iss".to_owned(), json!("https://api.stack-auth.com/api/v1/projects/p"));
        }
        let value = Value::Object(object.into_iter().collect());
        let aud_ok = value.get("aud").is_some_and(Value::is_string);
        let iss_ok = value.get("iss").is_some_and(Value::is_string);
        match AccessTokenClaims::from_json_slice(value.to_string().as_bytes()) {
            Ok(claims) => {
                prop_assert!(aud_ok && iss_ok);
                let consistent = claims.check_consistency();
                if let Err(r) = consistent {
                    prop_assert_eq!(r.reason(), RefusalReason::InconsistentClaims);
                }
            }
            Err(r) => {
                let expected = if !aud_ok {
                    RefusalReason::WrongAudience
                } else if !iss_ok {
                    RefusalReason::WrongIssuer
                } else {
                    RefusalReason::Malformed
                };
                prop_assert_eq!(r.reason(), expected);
            }
        }
    }

    /// `check_consistency` accepts exactly the flag combinations PROTOCOL §1.8 allows.
    #[test]
    fn consistency_is_exactly_the_protocol_rules(
        is_anonymous in any::<bool>(),
        is_restricted in any::<bool>(),
        reason in prop::option::of(prop_oneof![
            Just(RestrictedReason::Anonymous),
            Just(RestrictedReason::EmailNotVerified),
            Just(RestrictedReason::RestrictedByAdministrator),
        ]),
        suffix in prop_oneof![Just(""), Just(":restricted"), Just(":anon")],
        branch in prop_oneof![Just("main"), Just("dev"), Just("")],
    ) {
        let claims = json!({
            "sub": "u", "project_id": "p", "branch_id": branch,
            "iss": "https://api.stack-auth.com/api/v1/projects/p", "aud": format!("p{suffix}"),
            "exp": 4_102_444_800_i64, "is_anonymous": is_anonymous, "is_restricted": is_restricted,
            "restricted_reason": reason.map(|r| json!({"type": r.as_str()})),
        });
        let claims = AccessTokenClaims::from_json_value(claims).unwrap();
        let audience_type = match suffix {
            ":anon" => "anonymous",
            ":restricted" => "restricted",
            _ => "normal",
        };
        let flags_type = if is_anonymous {
            "anonymous"
        } else if is_restricted {
            "restricted"
        } else {
            "normal"
        };
        let allowed = (!is_anonymous || is_restricted)
            && is_restricted == reason.is_some()
            && is_anonymous == (reason == Some(RestrictedReason::Anonymous))
            && audience_type == flags_type
            && branch == "main";
        prop_assert_eq!(claims.check_consistency().is_ok(), allowed);
    }
}
