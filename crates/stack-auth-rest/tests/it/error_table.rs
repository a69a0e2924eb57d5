//! The error table of the crate docs, row by row, over real HTTP (mockito).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use stack_auth_core::{
    MisconfigKind, RefusalReason, TokenVerifier, UnavailableKind, UserType, VerifyError,
};

use crate::common::{self, builder, token, unavailable_kind, PATH};

/// What a row promises.
enum Expect {
    Refused(RefusalReason),
    Misconfigured(MisconfigKind),
    Unavailable(UnavailableKind),
}

/// Serves one KnownError (exactly once: none of these is retried) and checks the verdict.
async fn known_error_row(code: &str, status: usize, expect: Expect) -> VerifyError {
    let mut server = mockito::Server::new_async().await;
    let body =
        format!(r#"{{"code":"{code}","details":{{"x":1}},"error":"Human text for {code}."}}"#);
    let mock = server
        .mock("GET", PATH)
        .with_status(status)
        .with_header("content-type", "application/json; charset=utf-8")
        .with_header("x-stack-known-error", code)
        .with_body(body)
        .expect(1)
        .create_async()
        .await;
    let v = builder(&server.url()).build().unwrap();
    let e = v.verify(&token(1)).await.unwrap_err();
    mock.assert_async().await;
    check(&e, expect);
    let shown = format!("{e:?} {e}");
    match &e {
        VerifyError::Refused(r) => {
            assert_eq!(
                r.detail(),
                Some(format!("{code}: Human text for {code}.").as_str())
            );
        }
        VerifyError::Misconfigured(m) => {
            assert!(m.detail().unwrap().starts_with(code), "{shown}");
        }
        _ => {}
    }
    assert!(!shown.contains(common::KEY), "{shown}");
    e
}

fn check(e: &VerifyError, expect: Expect) {
    match expect {
        Expect::Refused(reason) => {
            assert_eq!(e.refusal_reason(), Some(reason), "{e:?}");
            assert_eq!(e.http_status(), reason.http_status());
        }
        Expect::Misconfigured(kind) => match e {
            VerifyError::Misconfigured(m) => {
                assert_eq!(m.kind(), kind);
                assert_eq!(e.http_status(), 500);
                assert!(!e.is_retryable());
            }
            other => panic!("expected misconfigured {kind:?}, got {other:?}"),
        },
        Expect::Unavailable(kind) => {
            assert_eq!(unavailable_kind(e), kind);
            assert_eq!(e.http_status(), 503);
            assert!(e.is_retryable());
        }
    }
}

macro_rules! rows {
    ($($name:ident: $code:literal, $status:literal => $kind:ident($what:ident);)*) => {$(
        #[tokio::test]
        async fn $name() {
            known_error_row($code, $status, rows!(@expect $kind $what)).await;
        }
    )*};
    (@expect Refused $what:ident) => { Expect::Refused(RefusalReason::$what) };
    (@expect Misconfigured $what:ident) => { Expect::Misconfigured(MisconfigKind::$what) };
    (@expect Unavailable $what:ident) => { Expect::Unavailable(UnavailableKind::$what) };
}

rows! {
    unparsable_access_token: "UNPARSABLE_ACCESS_TOKEN", 401 => Refused(Unparsable);
    access_token_expired: "ACCESS_TOKEN_EXPIRED", 401 => Refused(Expired);
    invalid_project_for_access_token: "INVALID_PROJECT_FOR_ACCESS_TOKEN", 401 => Refused(WrongProject);
    anonymous_authentication_not_allowed: "ANONYMOUS_AUTHENTICATION_NOT_ALLOWED", 401 => Refused(UserTypeNotAllowed);
    restricted_user_not_allowed: "RESTRICTED_USER_NOT_ALLOWED", 403 => Refused(UserTypeNotAllowed);
    cannot_get_own_user_without_user: "CANNOT_GET_OWN_USER_WITHOUT_USER", 400 => Refused(UserNotFound);
    invalid_secret_server_key: "INVALID_SECRET_SERVER_KEY", 401 => Misconfigured(InvalidSecretServerKey);
    server_authentication_required: "SERVER_AUTHENTICATION_REQUIRED", 401 => Misconfigured(MissingSecretServerKey);
    current_project_not_found: "CURRENT_PROJECT_NOT_FOUND", 400 => Misconfigured(ProjectNotFound);
    project_not_found: "PROJECT_NOT_FOUND", 404 => Misconfigured(ProjectNotFound);
    access_type_required: "ACCESS_TYPE_REQUIRED", 400 => Misconfigured(InvalidRequest);
    project_key_without_access_type: "PROJECT_KEY_WITHOUT_ACCESS_TYPE", 400 => Misconfigured(InvalidRequest);
    invalid_access_type: "INVALID_ACCESS_TYPE", 400 => Misconfigured(InvalidRequest);
    access_type_without_project_id: "ACCESS_TYPE_WITHOUT_PROJECT_ID", 400 => Misconfigured(InvalidRequest);
    insufficient_access_type: "INSUFFICIENT_ACCESS_TYPE", 401 => Misconfigured(InvalidRequest);
    schema_error: "SCHEMA_ERROR", 400 => Misconfigured(InvalidRequest);
    body_parsing_error: "BODY_PARSING_ERROR", 400 => Misconfigured(InvalidRequest);
    branch_does_not_exist: "BRANCH_DOES_NOT_EXIST", 400 => Misconfigured(InvalidRequest);
    all_overloads_failed: "ALL_OVERLOADS_FAILED", 400 => Misconfigured(InvalidRequest);
    unknown_code_with_4xx: "SOMETHING_NEW", 400 => Misconfigured(UnexpectedError);
    unknown_code_with_5xx: "SOMETHING_BROKE", 500 => Unavailable(ServerError);
}

/// Serves one raw answer `hits` times and returns the verdict.
async fn raw_row(status: usize, headers: &[(&str, &str)], body: &str, hits: usize) -> VerifyError {
    let mut server = mockito::Server::new_async().await;
    let mut mock = server.mock("GET", PATH).with_status(status).with_body(body);
    for (name, value) in headers {
        mock = mock.with_header(*name, value);
    }
    let mock = mock.expect(hits).create_async().await;
    let v = builder(&server.url()).build().unwrap();
    let e = v.verify(&token(1)).await.unwrap_err();
    mock.assert_async().await;
    e
}

#[tokio::test]
async fn header_and_body_codes_that_differ_are_reported_not_trusted() {
    let e = raw_row(
        401,
        &[("x-stack-known-error", "ACCESS_TOKEN_EXPIRED")],
        r#"{"code":"INVALID_SECRET_SERVER_KEY","error":"x"}"#,
        1,
    )
    .await;
    check(&e, Expect::Unavailable(UnavailableKind::InvalidResponse));
    let source = std::error::Error::source(&e).unwrap().to_string();
    assert!(
        source.contains("ACCESS_TOKEN_EXPIRED") && source.contains("INVALID_SECRET_SERVER_KEY")
    );
}

/// The renamed service answers both header names (PROTOCOL §9.3); the `x-hexclave-` ones are
/// read first, and either alone is enough.
#[tokio::test]
async fn the_hexclave_error_headers_are_read_first() {
    let expired = r#"{"code":"ACCESS_TOKEN_EXPIRED","error":"Access token has expired."}"#;
    let (status, code) = ("x-hexclave-actual-status", "x-hexclave-known-error");
    let (legacy_status, legacy_code) = ("x-stack-actual-status", "x-stack-known-error");
    for headers in [
        vec![(status, "401"), (code, "ACCESS_TOKEN_EXPIRED")],
        vec![
            (status, "401"),
            (legacy_status, "401"),
            (code, "ACCESS_TOKEN_EXPIRED"),
            (legacy_code, "ACCESS_TOKEN_EXPIRED"),
        ],
        // the x-hexclave- values win: the legacy ones are not read
        vec![
            (status, "401"),
            (legacy_status, "500"),
            (code, "ACCESS_TOKEN_EXPIRED"),
            (legacy_code, "SOMETHING_ELSE"),
        ],
    ] {
        let e = raw_row(200, &headers, expired, 1).await;
        check(&e, Expect::Refused(RefusalReason::Expired));
    }
    // the status comes from x-hexclave-actual-status: a 400 project error is a misconfiguration
    let e = raw_row(
        200,
        &[(status, "400"), (code, "CURRENT_PROJECT_NOT_FOUND")],
        r#"{"code":"CURRENT_PROJECT_NOT_FOUND","error":"x"}"#,
        1,
    )
    .await;
    check(&e, Expect::Misconfigured(MisconfigKind::ProjectNotFound));
}

#[tokio::test]
async fn a_code_that_is_not_an_identifier_is_an_invalid_response() {
    let e = raw_row(401, &[("x-stack-known-error", "lower-case")], "{}", 1).await;
    check(&e, Expect::Unavailable(UnavailableKind::InvalidResponse));
}

#[tokio::test]
async fn body_code_alone_and_message_fallback_are_read() {
    let e = raw_row(
        401,
        &[],
        r#"{"code":"ACCESS_TOKEN_EXPIRED","message":"old"}"#,
        1,
    )
    .await;
    assert_eq!(
        e.to_string(),
        "token refused: expired (ACCESS_TOKEN_EXPIRED: old)"
    );
}

#[tokio::test]
async fn rate_limited_carries_retry_after() {
    let e = raw_row(
        429,
        &[("retry-after", "30")],
        r#"{"message":"slow down"}"#,
        1,
    )
    .await;
    check(&e, Expect::Unavailable(UnavailableKind::RateLimited));
    assert_eq!(e.retry_after(), Some(Duration::from_secs(30)));
}

#[tokio::test]
async fn plain_text_5xx_is_a_server_error_with_its_status() {
    let body = "Something went wrong. Please make sure the data you entered is correct.";
    let e = raw_row(500, &[("content-type", "text/plain")], body, 1).await;
    check(&e, Expect::Unavailable(UnavailableKind::ServerError));
    match &e {
        VerifyError::Unavailable(u) => assert_eq!(u.status(), Some(500)),
        _ => unreachable!(),
    }
}

/// Stack Auth names every client error of users/me; an unnamed 4xx or a redirect comes from
/// something else at the base URL, and no retry or wait fixes that.
#[tokio::test]
async fn plain_4xx_and_redirects_are_a_misconfigured_base_url_not_a_refusal() {
    let plain = [("content-type", "text/plain")];
    for status in [400, 401, 403, 404, 405, 418] {
        let e = raw_row(status, &plain, "Not found", 1).await;
        check(&e, Expect::Misconfigured(MisconfigKind::InvalidRequest));
        let VerifyError::Misconfigured(m) = &e else {
            unreachable!()
        };
        let detail = m.detail().unwrap();
        assert!(
            detail.contains(&format!("http {status}")) && detail.contains("base url"),
            "{detail}"
        );
    }
    // The built-in client does not follow redirects (the key must not travel on).
    for status in [301, 302, 307, 308] {
        let e = raw_row(status, &[("location", "https://elsewhere.invalid/")], "", 1).await;
        check(&e, Expect::Misconfigured(MisconfigKind::InvalidRequest));
        assert!(e.to_string().contains("redirect"), "{e}");
    }
    // A request timeout is the one unnamed 4xx that trying later can fix.
    let e = raw_row(408, &plain, "Request Timeout", 1).await;
    check(&e, Expect::Unavailable(UnavailableKind::ServerError));
}

#[tokio::test]
async fn garbage_200_bodies_are_invalid_responses() {
    for body in [
        "<html>hi</html>",
        "[]",
        "{}",
        r#"{"id":""}"#,
        r#"{"id":42}"#,
        "",
    ] {
        let e = raw_row(200, &[], body, 1).await;
        check(&e, Expect::Unavailable(UnavailableKind::InvalidResponse));
    }
}

#[tokio::test]
async fn a_profile_of_a_type_not_accepted_is_refused_with_403() {
    let mut server = mockito::Server::new_async().await;
    let anon = r#"{"id":"a1","is_anonymous":true,"is_restricted":true,"restricted_reason":{"type":"anonymous"}}"#;
    let _m = server
        .mock("GET", PATH)
        .with_body(anon)
        .create_async()
        .await;
    let e = builder(&server.url())
        .build()
        .unwrap()
        .verify(&token(1))
        .await
        .unwrap_err();
    check(&e, Expect::Refused(RefusalReason::UserTypeNotAllowed));
    let ok = builder(&server.url())
        .accept(UserType::Anonymous)
        .build()
        .unwrap();
    assert_eq!(
        ok.verify(&token(1)).await.unwrap().user_type(),
        UserType::Anonymous
    );
}
