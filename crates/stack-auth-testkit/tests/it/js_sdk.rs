//! Stack Auth's own JS server SDK as shipped (`@stackframe/js` 2.8.108) works against the
//! stand-in unchanged (PROTOCOL §9.2, §9.3, §10.1): it sends only `x-hexclave-*` headers,
//! reads users by token and by id, and the header values its users produce carry the token
//! that `stack_auth_core::extract_token` reads, from the same source the SDK reads it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::{engine::general_purpose::STANDARD, Engine as _};
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{json, Value};
use stack_auth_core::{extract_token, RestrictedReason, ServerUser, TokenSource};
use stack_auth_testkit::{uuid_for_name, LocalStackAuth, Route, UserSpec};

use crate::support::js_sdk::{app, run};

/// `getUser({tokenStore})`, with the user's auth helpers.
fn get_user(stack: &LocalStackAuth, token_store: Value, options: Value) -> Value {
    json!({"op": "getUser", "app": app(stack), "tokenStore": token_store, "options": options, "withAuth": true})
}

fn by_id(stack: &LocalStackAuth, id: &str) -> Value {
    json!({"op": "getUserById", "app": app(stack), "userId": id})
}

fn tokens(access: &str) -> Value {
    json!({"accessToken": access, "refreshToken": "refresh-1"})
}

/// The headers as a server receives them (a cookie's UTF-8 bytes as the browser sent them).
fn headers_of(pairs: &[(&str, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in pairs {
        map.append(
            HeaderName::from_bytes(name.as_bytes()).unwrap(),
            HeaderValue::from_bytes(value.as_bytes()).unwrap(),
        );
    }
    map
}

fn id_of(result: &Value) -> &Value {
    assert!(result.get("error").is_none(), "{result}");
    &result["user"]["id"]
}

fn user(stack: &LocalStackAuth, spec: UserSpec) -> (ServerUser, String) {
    let user = stack.create_user(spec).unwrap();
    let token = stack.mint(&user);
    (user, token)
}

#[tokio::test]
async fn the_official_server_sdk_reads_users_by_token_and_by_id() {
    let stack = LocalStackAuth::start().await.unwrap();
    let (ada, ada_token) = user(&stack, UserSpec::normal().email("ada@example.com"));
    let (unverified, unverified_token) = user(
        &stack,
        UserSpec::restricted(RestrictedReason::EmailNotVerified),
    );
    let (anon, anon_token) = user(&stack, UserSpec::anonymous());
    let steps = vec![
        get_user(&stack, tokens(&ada_token), json!({})),
        get_user(&stack, tokens(&unverified_token), json!({})),
        get_user(
            &stack,
            tokens(&unverified_token),
            json!({"includeRestricted": true}),
        ),
        get_user(&stack, tokens(&anon_token), json!({"or": "anonymous"})),
        get_user(&stack, tokens(&anon_token), json!({})),
        get_user(&stack, Value::Null, json!({})),
        by_id(&stack, &ada.id),
        by_id(&stack, &anon.id),
        by_id(&stack, &uuid_for_name("nobody")),
        by_id(&stack, "not-a-uuid"),
    ];
    let answer = run(steps).await;
    let r = &answer.results;
    assert!(
        answer.refused_requests.is_empty(),
        "{:?}",
        answer.refused_requests
    );
    assert_eq!(id_of(&r[0]), ada.id.as_str());
    assert_eq!(r[0]["user"]["primaryEmail"], "ada@example.com");
    // the SDK filters restricted and anonymous users itself, as Stack Auth lets them through
    assert!(r[1]["user"].is_null(), "{}", r[1]);
    assert_eq!(id_of(&r[2]), unverified.id.as_str());
    assert_eq!(
        r[2]["user"]["restrictedReason"],
        json!({"type": "email_not_verified"})
    );
    assert_eq!(id_of(&r[3]), anon.id.as_str());
    assert!(
        r[4]["user"].is_null() && r[5]["user"].is_null(),
        "{} {}",
        r[4],
        r[5]
    );
    assert_eq!(id_of(&r[6]), ada.id.as_str());
    assert_eq!(r[6]["user"]["primaryEmail"], "ada@example.com");
    assert_eq!(id_of(&r[7]), anon.id.as_str());
    assert!(
        r[8]["user"].is_null() && r[8].get("error").is_none(),
        "{}",
        r[8]
    );
    assert_eq!(r[9]["error"]["code"], "SCHEMA_ERROR", "{}", r[9]);

    // It spoke only the renamed headers, and the stand-in answered them.
    let log = stack.request_log();
    let me: Vec<_> = log.iter().filter(|r| r.route == Route::UsersMe).collect();
    assert!(!me.is_empty());
    for request in me.iter().chain(
        log.iter()
            .filter(|r| r.route == Route::UserById)
            .collect::<Vec<_>>()
            .iter(),
    ) {
        assert_eq!(request.header("x-hexclave-access-type"), Some("server"));
        assert!(request.header("x-stack-access-type").is_none());
        assert_eq!(request.status, Some(200), "{request:?}");
    }
    assert!(stack.requests(Route::UserById) >= 4);
}

/// The header values the official client's users build, and the `RequestLike` token stores the
/// SDK reads on a server: for each, the SDK finds the user and `extract_token` finds the same
/// token in the same place.
#[tokio::test]
async fn the_sdk_and_extract_token_read_the_same_token_from_a_request() {
    let stack = LocalStackAuth::start().await.unwrap();
    let (ada, token) = user(&stack, UserSpec::normal());
    let answer = run(vec![get_user(&stack, tokens(&token), json!({}))]).await;
    let r = &answer.results[0];
    assert_eq!(id_of(r), ada.id.as_str());

    // user.getAuthorizationHeader() is the PROTOCOL §9.2 recipe, byte for byte
    let auth_json = json!({"accessToken": token, "refreshToken": "refresh-1"});
    assert_eq!(r["authJson"], auth_json);
    let recipe = format!(
        "Bearer stackauth_{}",
        STANDARD.encode(auth_json.to_string())
    );
    assert_eq!(r["authorizationHeader"], recipe.as_str());
    let x_stack_auth = r["authHeaders"]["x-stack-auth"]
        .as_str()
        .unwrap()
        .to_owned();

    let pid = stack.project_id();
    let access_cookie = |name: &str| {
        let value = json!(["refresh-1", token]).to_string();
        let encoded: String = url::form_urlencoded::byte_serialize(value.as_bytes()).collect();
        format!("lang=fran\u{e7}ais; {name}={encoded}; stack-refresh-{pid}=refresh-1")
    };
    let hexclave_json = format!(
        "Bearer hexclave_{}",
        STANDARD.encode(json!({"accessToken": token, "refreshToken": null}).to_string())
    );
    let requests: Vec<(Vec<(&str, String)>, TokenSource)> = vec![
        (
            vec![("authorization", recipe.clone())],
            TokenSource::AuthorizationBearerAuthJson,
        ),
        (
            vec![("authorization", hexclave_json)],
            TokenSource::AuthorizationBearerAuthJson,
        ),
        (
            vec![("x-stack-auth", x_stack_auth)],
            TokenSource::StackAuthHeader,
        ),
        (
            vec![("cookie", access_cookie("hexclave-access"))],
            TokenSource::HexclaveCookie,
        ),
        (
            vec![("cookie", access_cookie("stack-access"))],
            TokenSource::StackAccessCookie,
        ),
        // the auth JSON header wins over the cookies for both
        (
            vec![
                (
                    "cookie",
                    access_cookie("stack-access").replace(&token, "stale.token.value"),
                ),
                ("authorization", recipe),
            ],
            TokenSource::AuthorizationBearerAuthJson,
        ),
    ];
    let steps = requests
        .iter()
        .map(|(pairs, _)| {
            let headers: serde_json::Map<String, Value> = pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), json!(v)))
                .collect();
            get_user(&stack, json!({"headers": headers}), json!({}))
        })
        .collect();
    let answer = run(steps).await;
    assert!(answer.refused_requests.is_empty());
    for ((pairs, source), result) in requests.iter().zip(&answer.results) {
        assert_eq!(id_of(result), ada.id.as_str(), "the SDK with {pairs:?}");
        let found = extract_token(&headers_of(pairs))
            .unwrap()
            .expect("extract_token finds it");
        assert_eq!(
            (found.as_str(), found.source()),
            (token.as_str(), *source),
            "{pairs:?}"
        );
    }
}
