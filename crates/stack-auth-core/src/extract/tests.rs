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

#[test]
fn every_source() {
    assert_eq!(
        got(&[("x-stack-access-token", JWT)]).unwrap(),
        Some((JWT.into(), TokenSource::AccessTokenHeader))
    );
    assert_eq!(
        got(&[("authorization", &format!("Bearer {JWT}"))]).unwrap(),
        Some((JWT.into(), TokenSource::AuthorizationBearer))
    );
    assert_eq!(
        got(&[("authorization", &format!("bearer   {JWT} "))]).unwrap(),
        Some((JWT.into(), TokenSource::AuthorizationBearer))
    );
    let json = format!(r#"{{"accessToken":"{JWT}","refreshToken":"r"}}"#);
    assert_eq!(
        got(&[("x-stack-auth", &json)]).unwrap(),
        Some((JWT.into(), TokenSource::StackAuthHeader))
    );
    let cookie = format!("theme=dark; stack-access=%5B%22refresh%22%2C%22{JWT}%22%5D; other=1");
    assert_eq!(
        got(&[("cookie", &cookie)]).unwrap(),
        Some((JWT.into(), TokenSource::Cookie))
    );
    let raw_cookie = format!(r#"stack-access=["refresh","{JWT}"]"#);
    assert_eq!(
        got(&[("cookie", &raw_cookie)]).unwrap(),
        Some((JWT.into(), TokenSource::Cookie))
    );
}

#[test]
fn precedence_is_documented_order() {
    let json = r#"{"accessToken":"from-json"}"#;
    let all = [
        ("cookie", r#"stack-access=["r","from-cookie"]"#),
        ("x-stack-auth", json),
        ("authorization", "Bearer from-bearer"),
        ("x-stack-access-token", "from-header"),
    ];
    assert_eq!(got(&all).unwrap().unwrap().0, "from-header");
    assert_eq!(got(&all[..3]).unwrap().unwrap().0, "from-bearer");
    assert_eq!(got(&all[..2]).unwrap().unwrap().0, "from-json");
    assert_eq!(got(&all[..1]).unwrap().unwrap().0, "from-cookie");
    // a later malformed source does not matter once an earlier one answered
    assert_eq!(
        got(&[("x-stack-access-token", "a"), ("x-stack-auth", "garbage")])
            .unwrap()
            .unwrap()
            .0,
        "a"
    );
}

#[test]
fn absent_and_empty_are_none() {
    assert_eq!(got(&[]).unwrap(), None);
    assert_eq!(got(&[("x-stack-access-token", "   ")]).unwrap(), None);
    assert_eq!(
        got(&[("authorization", "Basic dXNlcjpwYXNz")]).unwrap(),
        None
    );
    assert_eq!(
        got(&[("x-stack-auth", r#"{"refreshToken":"r"}"#)]).unwrap(),
        None
    );
    assert_eq!(
        got(&[("x-stack-auth", r#"{"accessToken":null}"#)]).unwrap(),
        None
    );
    assert_eq!(got(&[("cookie", "stack-accessx=1; a=b")]).unwrap(), None);
    assert_eq!(
        got(&[("cookie", r#"stack-access=["r",null]"#)]).unwrap(),
        None
    );
}

#[test]
fn hostile_inputs_give_typed_errors() {
    use ExtractError::*;
    let big = "a".repeat(MAX_TOKEN_LEN + 1);
    assert_eq!(
        got(&[("x-stack-access-token", &big)]),
        Err(TooLarge(TokenSource::AccessTokenHeader))
    );
    assert_eq!(
        got(&[("authorization", &format!("Bearer {big}"))]),
        Err(TooLarge(TokenSource::AuthorizationBearer))
    );
    assert!(matches!(
        got(&[("x-stack-auth", "not json")]),
        Err(Malformed(TokenSource::StackAuthHeader, _))
    ));
    assert!(matches!(
        got(&[("x-stack-auth", "[1,2]")]),
        Err(Malformed(TokenSource::StackAuthHeader, _))
    ));
    assert!(matches!(
        got(&[("x-stack-auth", "null")]),
        Err(Malformed(TokenSource::StackAuthHeader, _))
    ));
    assert!(matches!(
        got(&[("x-stack-auth", r#"{"accessToken":5}"#)]),
        Err(Malformed(..))
    ));
    assert!(matches!(
        got(&[("x-stack-auth", r#"{"accessToken":"a b"}"#)]),
        Err(Malformed(..))
    ));
    assert!(matches!(
        got(&[("authorization", "Bearer")]),
        Err(Malformed(TokenSource::AuthorizationBearer, _))
    ));
    assert!(matches!(
        got(&[("authorization", "Bearer a b")]),
        Err(Malformed(..))
    ));
    assert!(matches!(
        got(&[("cookie", "stack-access=%ZZ")]),
        Err(Malformed(TokenSource::Cookie, _))
    ));
    assert!(matches!(
        got(&[("cookie", "stack-access=%FF%FE")]),
        Err(Malformed(TokenSource::Cookie, _))
    ));
    assert!(matches!(
        got(&[("cookie", r#"stack-access=["only-one"]"#)]),
        Err(Malformed(..))
    ));
    assert!(matches!(
        got(&[("cookie", r#"stack-access={"a":1}"#)]),
        Err(Malformed(..))
    ));
    assert_eq!(
        got(&[("x-stack-access-token", "a"), ("x-stack-access-token", "b")]),
        Err(Ambiguous(TokenSource::AccessTokenHeader))
    );
    assert_eq!(
        got(&[(
            "cookie",
            "stack-access=[\"r\",\"a\"]; stack-access=[\"r\",\"b\"]"
        )]),
        Err(Ambiguous(TokenSource::Cookie))
    );
    // identical repeats are harmless
    assert_eq!(
        got(&[("x-stack-access-token", "a"), ("x-stack-access-token", "a")])
            .unwrap()
            .unwrap()
            .0,
        "a"
    );
    let mut h = HeaderMap::new();
    h.insert(
        "x-stack-access-token",
        HeaderValue::from_bytes(b"ab\xffcd").unwrap(),
    );
    assert!(matches!(
        extract_token(&h),
        Err(Malformed(TokenSource::AccessTokenHeader, _))
    ));
    let huge_cookie = format!("stack-access={}", "a".repeat(200_000));
    assert_eq!(
        got(&[("cookie", &huge_cookie)]),
        Err(TooLarge(TokenSource::Cookie))
    );
}

#[test]
fn errors_and_debug_never_show_the_token() {
    let t = extract_token(&headers(&[("x-stack-access-token", JWT)]))
        .unwrap()
        .unwrap();
    assert!(!format!("{t:?}").contains("eyJ"));
    let e = got(&[("x-stack-auth", "{\"accessToken\":\"secret token\"}")]).unwrap_err();
    assert!(!format!("{e} {e:?}").contains("secret"));
}

proptest::proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(a in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
                                       which in 0usize..5) {
        let name = ["x-stack-access-token", "authorization", "x-stack-auth", "cookie", "x-other"][which];
        if let Ok(v) = HeaderValue::from_bytes(&a) {
            let mut h = HeaderMap::new();
            h.insert(http::HeaderName::from_static(name), v);
            let _ = extract_token(&h);
        }
    }
}

#[test]
fn sources_can_be_restricted() {
    let pairs = [
        ("cookie", r#"stack-access=["r","from-cookie"]"#),
        ("x-stack-auth", r#"{"accessToken":"from-json"}"#),
    ];
    let h = headers(&pairs);
    let headers_only = extract_token_from(&h, TokenSources::HEADERS_ONLY)
        .unwrap()
        .unwrap();
    assert_eq!(headers_only.as_str(), "from-json");
    let cookie_only = TokenSources::only(TokenSource::Cookie);
    assert_eq!(
        extract_token_from(&h, cookie_only)
            .unwrap()
            .unwrap()
            .as_str(),
        "from-cookie"
    );
    let none = TokenSources::HEADERS_ONLY.without(TokenSource::StackAuthHeader);
    assert!(extract_token_from(&h, none).unwrap().is_none());
    // a malformed source outside the set is not read at all
    let bad_cookie = headers(&[("cookie", "stack-access=%ZZ")]);
    assert!(extract_token_from(&bad_cookie, TokenSources::HEADERS_ONLY)
        .unwrap()
        .is_none());
    assert_eq!(TokenSources::default(), TokenSources::ALL);
    assert_eq!(
        format!("{:?}", TokenSources::HEADERS_ONLY),
        "{AccessTokenHeader, AuthorizationBearer, StackAuthHeader}"
    );
}
