//! Hostile and broken inputs: typed errors, never a panic, never the token in a message.

use http::HeaderValue;

use super::*;

#[test]
fn hostile_inputs_give_typed_errors() {
    use ExtractError::*;
    use TokenSource as S;
    let big = "a".repeat(MAX_TOKEN_LEN + 1);
    let big_json = auth_json("stackauth_", Some(&big), None);
    let ambiguous_cookies = "stack-access=[\"r\",\"a\"]; stack-access=[\"r\",\"b\"]";
    let exact = [
        (
            ("x-stack-access-token", big.as_str()),
            TooLarge(S::AccessTokenHeader),
        ),
        (
            ("x-hexclave-access-token", big.as_str()),
            TooLarge(S::HexclaveAccessTokenHeader),
        ),
        (
            ("authorization", &format!("Bearer {big}")),
            TooLarge(S::AuthorizationBearer),
        ),
        (
            ("authorization", big_json.as_str()),
            TooLarge(S::AuthorizationBearerAuthJson),
        ),
        (
            ("cookie", ambiguous_cookies),
            Ambiguous(S::StackAccessCookie),
        ),
    ];
    for ((name, value), want) in exact {
        assert_eq!(got(&[(name, value)]), Err(want), "{name}");
    }
    let malformed = [
        ("x-stack-auth", "not json".to_owned(), S::StackAuthHeader),
        ("x-stack-auth", "[1,2]".to_owned(), S::StackAuthHeader),
        ("x-stack-auth", "null".to_owned(), S::StackAuthHeader),
        (
            "x-stack-auth",
            r#"{"accessToken":5}"#.to_owned(),
            S::StackAuthHeader,
        ),
        (
            "x-stack-auth",
            r#"{"accessToken":"a b"}"#.to_owned(),
            S::StackAuthHeader,
        ),
        ("authorization", "Bearer".to_owned(), S::AuthorizationBearer),
        (
            "authorization",
            "Bearer a b".to_owned(),
            S::AuthorizationBearer,
        ),
        (
            "authorization",
            "Bearer stackauth_".to_owned(),
            S::AuthorizationBearerAuthJson,
        ),
        (
            "authorization",
            "Bearer hexclave_!!!".to_owned(),
            S::AuthorizationBearerAuthJson,
        ),
        (
            "authorization",
            format!("Bearer stackauth_{}", STANDARD.encode("[]")),
            S::AuthorizationBearerAuthJson,
        ),
        (
            "authorization",
            format!("Bearer stackauth_{}", STANDARD.encode("null")),
            S::AuthorizationBearerAuthJson,
        ),
        (
            "authorization",
            format!(
                "Bearer stackauth_{}",
                STANDARD.encode(r#"{"accessToken":1}"#)
            ),
            S::AuthorizationBearerAuthJson,
        ),
        (
            "authorization",
            auth_json("stackauth_", Some("a b"), None),
            S::AuthorizationBearerAuthJson,
        ),
        (
            "cookie",
            "stack-access=%ZZ".to_owned(),
            S::StackAccessCookie,
        ),
        (
            "cookie",
            "stack-access=%FF%FE".to_owned(),
            S::StackAccessCookie,
        ),
        (
            "cookie",
            r#"stack-access=["only-one"]"#.to_owned(),
            S::StackAccessCookie,
        ),
        (
            "cookie",
            r#"hexclave-access={"a":1}"#.to_owned(),
            S::HexclaveCookie,
        ),
    ];
    for (name, value, source) in malformed {
        let err = got(&[(name, &value)]).unwrap_err();
        assert!(
            matches!(err, Malformed(s, _) if s == source),
            "{name}: {value}: {err:?}"
        );
    }
    assert_eq!(
        got(&[("x-stack-access-token", "a"), ("x-stack-access-token", "b")]),
        Err(Ambiguous(S::AccessTokenHeader))
    );
    // identical repeats are harmless
    let twice = [("x-stack-access-token", "a"), ("x-stack-access-token", "a")];
    assert_eq!(got(&twice).unwrap().unwrap().0, "a");
    let mut h = HeaderMap::new();
    h.insert(
        "x-stack-access-token",
        HeaderValue::from_bytes(b"ab\xffcd").unwrap(),
    );
    assert!(matches!(
        extract_token(&h),
        Err(Malformed(S::AccessTokenHeader, _))
    ));
    let huge_cookie = format!("stack-access={}", "a".repeat(200_000));
    assert_eq!(
        got(&[("cookie", &huge_cookie)]),
        Err(TooLarge(S::StackAccessCookie))
    );
}

/// Issue 14, item 5: `Cookie: lang=français; stack-access=…` (one header, as browsers send it)
/// was skipped whole because one cookie's value is not ASCII, so the user looked signed out.
#[test]
fn regression_one_non_ascii_cookie_hides_the_stack_access_cookie() {
    for name in ["stack-access", "hexclave-access"] {
        let line = format!("lang=fran\u{e7}ais; {}; emoji=\u{1f600}", cookie(name, JWT));
        let mut h = HeaderMap::new();
        h.insert("cookie", HeaderValue::from_bytes(line.as_bytes()).unwrap());
        let token = extract_token(&h)
            .unwrap()
            .expect("the access cookie is found");
        assert_eq!(token.as_str(), JWT, "{name}");
    }
    // ASCII is still required of the cookie we read
    let mut h = HeaderMap::new();
    let line = "lang=en; stack-access=[\"r\",\"caf\u{e9}\"]";
    h.insert("cookie", HeaderValue::from_bytes(line.as_bytes()).unwrap());
    assert_eq!(
        extract_token(&h),
        Err(ExtractError::Malformed(
            TokenSource::StackAccessCookie,
            "not visible ASCII"
        ))
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
    let e = got(&[(
        "authorization",
        &auth_json("stackauth_", Some("secret token"), None),
    )])
    .unwrap_err();
    assert!(!format!("{e} {e:?}").contains("secret"));
}

proptest::proptest! {
    #[test]
    fn never_panics_on_arbitrary_bytes(a in proptest::collection::vec(proptest::num::u8::ANY, 0..300),
                                       which in 0usize..7) {
        let name = [
            "x-stack-access-token", "x-hexclave-access-token", "authorization", "x-stack-auth",
            "cookie", "x-other", "authorization",
        ][which];
        let mut value = a;
        if which == 6 {
            value.splice(0..0, b"Bearer stackauth_".iter().copied());
        }
        if let Ok(v) = HeaderValue::from_bytes(&value) {
            let mut h = HeaderMap::new();
            h.insert(http::HeaderName::from_static(name), v);
            let _ = extract_token(&h);
        }
    }
}
