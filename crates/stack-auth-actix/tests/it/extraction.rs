//! The extractor finds the token in every source of PROTOCOL §5.3 and §9.2 (actix-web's headers,
//! carried over to core's extraction) and verifies exactly that token.

use actix_web::{
    http::{header::HeaderValue, StatusCode},
    test, web, App,
};
use base64::{engine::general_purpose::STANDARD, Engine as _};
use stack_auth_actix::{StackAuth, StackUser};
use stack_auth_core::TokenSources;

use crate::common::{cookie, get, recording, send, Reply, GOOD};

async fn me(user: StackUser) -> String {
    user.user_id().to_owned()
}

async fn ask(auth: StackAuth, request: test::TestRequest) -> Reply {
    let app = test::init_service(App::new().app_data(auth).route("/me", web::get().to(me))).await;
    send(&app, request).await
}

async fn assert_source(headers: &[(&str, &str)]) {
    let verifier = recording();
    let auth = StackAuth::new(verifier.clone());
    let reply = ask(auth, get("/me", headers)).await;
    assert_eq!(reply.status, StatusCode::OK, "{headers:?}: {reply:?}");
    assert_eq!(reply.body, "user-normal");
    assert_eq!(verifier.tokens(), [GOOD], "{headers:?}");
}

#[actix_web::test]
async fn every_header_source() {
    let bearer = format!("Bearer {GOOD}");
    let spaced = format!("bearer   {GOOD} ");
    let json = format!(r#"{{"accessToken": "{GOOD}", "refreshToken": "refresh-1"}}"#);
    let cookies = format!("theme=dark; {}; lang=en", cookie(GOOD));
    for headers in [
        &[("x-stack-access-token", GOOD)][..],
        &[("x-hexclave-access-token", GOOD)][..],
        &[
            ("x-hexclave-access-token", GOOD),
            ("x-stack-access-token", GOOD),
        ][..],
        &[("authorization", bearer.as_str())][..],
        &[("authorization", spaced.as_str())][..],
        &[("x-stack-auth", json.as_str())][..],
        &[("cookie", cookies.as_str())][..],
    ] {
        assert_source(headers).await;
    }
}

/// `Authorization` as `user.getAuthorizationHeader()` of the official JS client builds it:
/// `Bearer stackauth_` + standard padded base64 of the auth JSON (PROTOCOL §9.2).
#[actix_web::test]
async fn authorization_bearer_auth_json() {
    for prefix in ["stackauth_", "hexclave_"] {
        let json = format!(r#"{{"accessToken":"{GOOD}","refreshToken":null}}"#);
        let value = format!("Bearer {prefix}{}", STANDARD.encode(json));
        assert_source(&[("authorization", &value)]).await;
    }
}

#[actix_web::test]
async fn hexclave_access_cookie_before_the_legacy_one_beside_non_ascii_cookies() {
    let cookies = format!(
        "stack-access=%5B%22refresh-0%22%2C%22stale-token%22%5D; lang=fran\u{e7}ais; \
         hexclave-access=%5B%22refresh-1%22%2C%22{GOOD}%22%5D"
    );
    let verifier = recording();
    let request = get("/me", &[]).insert_header((
        "cookie",
        HeaderValue::from_bytes(cookies.as_bytes()).unwrap(),
    ));
    let reply = ask(StackAuth::new(verifier.clone()), request).await;
    assert_eq!(reply.status, StatusCode::OK, "{reply:?}");
    assert_eq!(verifier.tokens(), [GOOD]);
}

#[actix_web::test]
async fn two_different_access_token_headers_are_a_bad_request() {
    let verifier = recording();
    let headers = [
        ("x-hexclave-access-token", GOOD),
        ("x-stack-access-token", "other-token"),
    ];
    let reply = ask(StackAuth::new(verifier.clone()), get("/me", &headers)).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{reply:?}");
    assert_eq!(reply.json()["error"], "invalid_request");
    reply.assert_no_token();
    assert_eq!(verifier.calls(), 0);
}

#[actix_web::test]
async fn precedence_and_other_schemes() {
    let verifier = recording();
    let headers = [
        ("authorization", "Bearer other-token"),
        ("x-stack-access-token", GOOD),
    ];
    let reply = ask(StackAuth::new(verifier.clone()), get("/me", &headers)).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(verifier.tokens(), [GOOD]);

    let verifier = recording();
    let headers = [("authorization", "Basic dXNlcjpwYXNz")];
    let reply = ask(StackAuth::new(verifier.clone()), get("/me", &headers)).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    assert_eq!(reply.json()["error"], "missing_token");
    assert_eq!(verifier.calls(), 0);
}

#[actix_web::test]
async fn headers_only_sources_leave_out_both_cookies() {
    let verifier = recording();
    let headers_only = StackAuth::new(verifier.clone()).token_sources(TokenSources::HEADERS_ONLY);
    for name in ["stack-access", "hexclave-access"] {
        let value = format!("{name}=%5B%22refresh-1%22%2C%22{GOOD}%22%5D");
        let request = get("/me", &[("cookie", &value)]);
        let reply = ask(headers_only.clone(), request).await;
        assert_eq!(reply.status, StatusCode::UNAUTHORIZED, "{name}: {reply:?}");
        assert_eq!(reply.json()["error"], "missing_token");
        assert!(
            verifier.tokens().is_empty(),
            "the {name} cookie was not read"
        );
    }
    let request = get("/me", &[("x-stack-access-token", GOOD)]);
    let reply = ask(headers_only, request).await;
    assert_eq!(reply.status, StatusCode::OK);
}

#[actix_web::test]
async fn authenticate_reads_an_actix_header_map_outside_the_extractors() {
    let verifier = recording();
    let auth = StackAuth::new(verifier.clone());
    let request = get("/", &[("x-stack-access-token", GOOD)]).to_http_request();
    let user = auth.authenticate(request.headers()).await.unwrap();
    assert_eq!(user.unwrap().user_id(), "user-normal");
    let request = get("/", &[]).to_http_request();
    assert!(auth
        .authenticate(request.headers())
        .await
        .unwrap()
        .is_none());
    let request = get("/", &[("x-stack-access-token", "nope")]).to_http_request();
    let rejection = auth.authenticate(request.headers()).await.unwrap_err();
    assert_eq!(rejection.code(), "bad_signature");
}
