use base64::{engine::general_purpose::STANDARD, Engine as _};
use http::HeaderValue;

use super::*;

const JWT: &str = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2ln";

fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
    let mut h = HeaderMap::new();
    for (k, v) in pairs {
        h.append(
            http::HeaderName::from_bytes(k.as_bytes()).unwrap(),
            HeaderValue::from_str(v).unwrap(),
        );
    }
    h
}

fn got(pairs: &[(&str, &str)]) -> Result<Option<(String, TokenSource)>, ExtractError> {
    extract_token(&headers(pairs)).map(|o| o.map(|t| (t.as_str().to_owned(), t.source())))
}

/// `Authorization` as the official client's `user.getAuthorizationHeader()` builds it
/// (PROTOCOL §9.2): `Bearer <prefix><standard padded base64 of the JSON>`.
fn auth_json(prefix: &str, access: Option<&str>, refresh: Option<&str>) -> String {
    let json = serde_json::json!({"accessToken": access, "refreshToken": refresh});
    format!("Bearer {prefix}{}", STANDARD.encode(json.to_string()))
}

fn cookie(name: &str, token: &str) -> String {
    format!("{name}=%5B%22refresh%22%2C%22{token}%22%5D")
}

mod hostile;

#[test]
fn every_source() {
    use TokenSource as S;
    let json = format!(r#"{{"accessToken":"{JWT}","refreshToken":"r"}}"#);
    let cases = [
        (
            ("x-hexclave-access-token", JWT.to_owned()),
            S::HexclaveAccessTokenHeader,
        ),
        (
            ("x-stack-access-token", JWT.to_owned()),
            S::AccessTokenHeader,
        ),
        (
            ("authorization", format!("Bearer {JWT}")),
            S::AuthorizationBearer,
        ),
        (
            ("authorization", format!("bearer   {JWT} ")),
            S::AuthorizationBearer,
        ),
        (
            ("authorization", format!("Bearer\t{JWT}")),
            S::AuthorizationBearer,
        ),
        (
            (
                "authorization",
                auth_json("stackauth_", Some(JWT), Some("r")),
            ),
            S::AuthorizationBearerAuthJson,
        ),
        (
            ("authorization", auth_json("hexclave_", Some(JWT), None)),
            S::AuthorizationBearerAuthJson,
        ),
        (("x-stack-auth", json), S::StackAuthHeader),
        (
            (
                "cookie",
                format!("theme=dark; {}; other=1", cookie("hexclave-access", JWT)),
            ),
            S::HexclaveCookie,
        ),
        (
            (
                "cookie",
                format!("theme=dark; {}; other=1", cookie("stack-access", JWT)),
            ),
            S::StackAccessCookie,
        ),
        (
            ("cookie", format!(r#"stack-access=["refresh","{JWT}"]"#)),
            S::StackAccessCookie,
        ),
        (
            (
                "cookie",
                format!(r#"hexclave-access="%5B%22refresh%22%2C%22{JWT}%22%5D""#),
            ),
            S::HexclaveCookie,
        ),
    ];
    for ((name, value), source) in cases {
        assert_eq!(
            got(&[(name, &value)]).unwrap(),
            Some((JWT.into(), source)),
            "{name}: {value}"
        );
    }
}

#[test]
fn the_protocol_example_of_the_authorization_header_decodes() {
    let example = "Bearer stackauth_eyJhY2Nlc3NUb2tlbiI6ImV5SmguLi4iLCJyZWZyZXNoVG9rZW4iOm51bGx9";
    assert_eq!(
        got(&[("authorization", example)]).unwrap(),
        Some(("eyJh...".into(), TokenSource::AuthorizationBearerAuthJson))
    );
}

#[test]
fn precedence_is_documented_order() {
    let all = [
        ("cookie", r#"stack-access=["r","from-cookie"]"#.to_owned()),
        (
            "cookie",
            r#"hexclave-access=["r","from-hexclave-cookie"]"#.to_owned(),
        ),
        ("x-stack-auth", r#"{"accessToken":"from-json"}"#.to_owned()),
        (
            "authorization",
            auth_json("stackauth_", Some("from-auth-json"), None),
        ),
        ("x-stack-access-token", "from-header".to_owned()),
        ("x-hexclave-access-token", "from-header".to_owned()),
    ];
    let pairs: Vec<(&str, &str)> = all.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let expect = [
        ("from-header", TokenSource::HexclaveAccessTokenHeader),
        ("from-header", TokenSource::AccessTokenHeader),
        ("from-auth-json", TokenSource::AuthorizationBearerAuthJson),
        ("from-json", TokenSource::StackAuthHeader),
        ("from-hexclave-cookie", TokenSource::HexclaveCookie),
        ("from-cookie", TokenSource::StackAccessCookie),
    ];
    for (n, (token, source)) in expect.iter().enumerate() {
        let upto = pairs.len() - n;
        assert_eq!(
            got(&pairs[..upto]).unwrap(),
            Some(((*token).to_owned(), *source)),
            "{:?}",
            &pairs[..upto]
        );
    }
    // a bare bearer token sits where the auth JSON does
    let bare = [
        ("x-stack-auth", "garbage"),
        ("authorization", "Bearer from-bearer"),
    ];
    assert_eq!(got(&bare).unwrap().unwrap().0, "from-bearer");
    // a later malformed source does not matter once an earlier one answered
    let later_bad = [("x-stack-access-token", "a"), ("x-stack-auth", "garbage")];
    assert_eq!(got(&later_bad).unwrap().unwrap().0, "a");
}

#[test]
fn the_first_source_present_decides_even_without_a_token() {
    let cookie = cookie("stack-access", JWT);
    let no_token_json = auth_json("stackauth_", None, Some("r"));
    for present in [
        ("authorization", no_token_json.as_str()),
        ("x-stack-auth", r#"{"accessToken":null,"refreshToken":"r"}"#),
        ("x-stack-auth", r#"{"refreshToken":"r"}"#),
        ("cookie", r#"hexclave-access=["r",null]"#),
    ] {
        assert_eq!(
            got(&[present, ("cookie", &cookie)]).unwrap(),
            None,
            "{present:?}"
        );
    }
    // another scheme is not a bearer: the next source answers
    assert_eq!(
        got(&[("authorization", "Basic dXNlcjpwYXNz"), ("cookie", &cookie)]).unwrap(),
        Some((JWT.into(), TokenSource::StackAccessCookie))
    );
}

#[test]
fn both_access_token_headers_must_agree() {
    let same = [
        ("x-stack-access-token", JWT),
        ("x-hexclave-access-token", JWT),
    ];
    assert_eq!(
        got(&same).unwrap(),
        Some((JWT.into(), TokenSource::HexclaveAccessTokenHeader))
    );
    let different = [
        ("x-stack-access-token", "a.b.c"),
        ("x-hexclave-access-token", JWT),
    ];
    let err = got(&different).unwrap_err();
    assert_eq!(
        err,
        ExtractError::Conflict(
            TokenSource::HexclaveAccessTokenHeader,
            TokenSource::AccessTokenHeader
        )
    );
    assert_eq!(
        err.to_string(),
        "x-hexclave-access-token and x-stack-access-token carry different tokens"
    );
    assert!(!format!("{err:?}").contains("eyJ"));
    // a source left out is not read, so there is nothing to disagree with
    let only_legacy = TokenSources::ALL.without(TokenSource::HexclaveAccessTokenHeader);
    let token = extract_token_from(&headers(&different), only_legacy)
        .unwrap()
        .unwrap();
    assert_eq!(
        (token.as_str(), token.source()),
        ("a.b.c", TokenSource::AccessTokenHeader)
    );
}

#[test]
fn absent_and_empty_are_none() {
    for pairs in [
        &[][..],
        &[("x-stack-access-token", "   ")],
        &[("x-hexclave-access-token", "")],
        &[("authorization", "Basic dXNlcjpwYXNz")],
        &[("authorization", "Bearerabc")],
        &[("x-stack-auth", r#"{"refreshToken":"r"}"#)],
        &[("x-stack-auth", r#"{"accessToken":null}"#)],
        &[("x-stack-auth", r#"{"accessToken":""}"#)],
        &[("cookie", "stack-accessx=1; a=b; hexclave-accessx=2")],
        &[("cookie", r#"stack-access=["r",null]"#)],
        &[("cookie", "stack-access=; hexclave-access=")],
    ] {
        assert_eq!(got(pairs).unwrap(), None, "{pairs:?}");
    }
    let nothing = auth_json("hexclave_", None, None);
    assert_eq!(got(&[("authorization", &nothing)]).unwrap(), None);
}

#[test]
fn names_and_labels() {
    let labels: std::collections::HashSet<_> = TokenSource::ALL.map(TokenSource::label).into();
    assert_eq!(labels.len(), TokenSource::ALL.len());
    assert_eq!(
        TokenSource::AuthorizationBearerAuthJson.name(),
        "authorization"
    );
    assert_eq!(TokenSource::HexclaveCookie.name(), "hexclave-access cookie");
    let cookies: Vec<_> = TokenSource::ALL
        .into_iter()
        .filter(|s| s.is_cookie())
        .collect();
    assert_eq!(
        cookies,
        [TokenSource::HexclaveCookie, TokenSource::StackAccessCookie]
    );
}

#[test]
fn sources_can_be_restricted() {
    let pairs = [
        ("cookie", r#"stack-access=["r","from-cookie"]"#),
        ("cookie", r#"hexclave-access=["r","from-hexclave-cookie"]"#),
        ("x-stack-auth", r#"{"accessToken":"from-json"}"#),
    ];
    let h = headers(&pairs);
    let headers_only = extract_token_from(&h, TokenSources::HEADERS_ONLY)
        .unwrap()
        .unwrap();
    assert_eq!(headers_only.as_str(), "from-json");
    let cookie_only = TokenSources::only(TokenSource::StackAccessCookie);
    let token = extract_token_from(&h, cookie_only).unwrap().unwrap();
    assert_eq!(token.as_str(), "from-cookie");
    // HEADERS_ONLY leaves out every cookie
    let cookies_only = headers(&pairs[..2]);
    assert!(
        extract_token_from(&cookies_only, TokenSources::HEADERS_ONLY)
            .unwrap()
            .is_none()
    );
    let none = TokenSources::HEADERS_ONLY.without(TokenSource::StackAuthHeader);
    assert!(extract_token_from(&h, none).unwrap().is_none());
    // a malformed source outside the set is not read at all
    let bad_cookie = headers(&[("cookie", "stack-access=%ZZ; hexclave-access=%ZZ")]);
    assert!(extract_token_from(&bad_cookie, TokenSources::HEADERS_ONLY)
        .unwrap()
        .is_none());
    // each Authorization form can be chosen alone
    let json = auth_json("stackauth_", Some(JWT), None);
    let json_only = TokenSources::only(TokenSource::AuthorizationBearerAuthJson);
    let bare_only = TokenSources::only(TokenSource::AuthorizationBearer);
    for (value, set, found) in [
        (json.as_str(), bare_only, false),
        (json.as_str(), json_only, true),
        ("Bearer eyJ.a.b", json_only, false),
        ("Bearer eyJ.a.b", bare_only, true),
    ] {
        let h = headers(&[("authorization", value)]);
        assert_eq!(
            extract_token_from(&h, set).unwrap().is_some(),
            found,
            "{value} {set:?}"
        );
    }
    assert_eq!(TokenSources::default(), TokenSources::ALL);
    assert_eq!(
        format!("{:?}", TokenSources::HEADERS_ONLY),
        "{HexclaveAccessTokenHeader, AccessTokenHeader, AuthorizationBearerAuthJson, \
         AuthorizationBearer, StackAuthHeader}"
    );
}
