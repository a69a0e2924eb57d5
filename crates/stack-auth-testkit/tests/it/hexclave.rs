//! The renamed service (PROTOCOL §9): every request header under its `x-hexclave-` name gets the
//! same answer as under its `x-stack-` name, errors carry both known-error and actual-status
//! headers, users are read by id (§10.1), and issuers of another origin are accepted only when
//! the stand-in is told to.
#![allow(clippy::unwrap_used)]

use serde_json::Value;
use stack_auth_core::RestrictedReason;
use stack_auth_testkit::{uuid_for_name, Breakage, LocalStackAuth, ProjectSpec, UserSpec};

use crate::support::{as_hexclave, get, Answer};

const ME: &str = "/api/v1/users/me";

/// The answer to `path` with `headers` exactly as given.
async fn call(stack: &LocalStackAuth, path: &str, headers: &[(String, &str)]) -> Answer {
    let borrowed: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), *v)).collect();
    get(stack, path, &borrowed).await
}

/// Status, body (request ids aside) and the known-error code of an answer.
fn essence(a: &Answer) -> (u16, Value, Option<String>) {
    let body = serde_json::from_str(&a.text).unwrap_or(Value::String(a.text.clone()));
    let code = a.header("x-stack-known-error").map(str::to_owned);
    (a.status, body, code)
}

#[tokio::test]
async fn hexclave_headers_only_get_the_same_answers_as_stack_headers() {
    let stack = LocalStackAuth::builder()
        .project(ProjectSpec::new("p-hex").secret_server_key("ssk_hex"))
        .start()
        .await
        .unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let anon = stack.create_user(UserSpec::anonymous()).unwrap();
    let unverified = stack
        .create_user(UserSpec::restricted(RestrictedReason::EmailNotVerified))
        .unwrap();
    let (good, expired) = (
        stack.mint(&ada),
        stack.token(&ada).broken(Breakage::Expired).mint(),
    );
    let (anon_token, restricted) = (stack.mint(&anon), stack.mint(&unverified));
    let server = [
        ("x-stack-access-type", "server"),
        ("x-stack-project-id", "p-hex"),
        ("x-stack-secret-server-key", "ssk_hex"),
    ];
    let with = |extra: &[(&'static str, &str)]| -> Vec<(&'static str, String)> {
        server
            .iter()
            .chain(extra)
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect()
    };
    let requests: Vec<Vec<(&str, String)>> = vec![
        with(&[("x-stack-access-token", &good)]),
        with(&[("x-stack-access-token", &expired)]),
        with(&[("x-stack-access-token", "garbage")]),
        with(&[]),
        with(&[("x-stack-access-token", &anon_token)]),
        with(&[
            ("x-stack-access-token", &anon_token),
            ("x-stack-allow-anonymous-user", "true"),
        ]),
        with(&[("x-stack-access-token", &restricted)]),
        with(&[
            ("x-stack-access-token", &restricted),
            ("x-stack-allow-restricted-user", "true"),
        ]),
        with(&[("x-stack-branch-id", "dev")]),
        with(&[
            ("x-stack-access-token", &good),
            ("x-stack-override-error-status", "true"),
        ]),
        vec![("x-stack-secret-server-key", "ssk_hex".into())],
        vec![("x-stack-access-type", "server".into())],
        vec![
            ("x-stack-access-type", "server".into()),
            ("x-stack-project-id", "p-hex".into()),
            ("x-stack-secret-server-key", "ssk_wrong".into()),
        ],
    ];
    let mut codes = Vec::new();
    for request in &requests {
        let pairs: Vec<(&str, &str)> = request.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let legacy = get(&stack, ME, &pairs).await;
        let renamed = as_hexclave(&pairs);
        assert!(renamed.iter().all(|(k, _)| k.starts_with("x-hexclave-")));
        let new = call(&stack, ME, &renamed).await;
        assert_eq!(essence(&new), essence(&legacy), "{pairs:?}");
        codes.push(legacy.header("x-stack-known-error").map(str::to_owned));
        for answer in [&legacy, &new] {
            assert_eq!(
                answer.header("x-hexclave-known-error"),
                answer.header("x-stack-known-error")
            );
        }
    }
    // The matrix covers successes and the errors of every step of parseAuth.
    let codes: Vec<&str> = codes.iter().map(|c| c.as_deref().unwrap_or("ok")).collect();
    for want in [
        "ok",
        "ACCESS_TOKEN_EXPIRED",
        "UNPARSABLE_ACCESS_TOKEN",
        "CANNOT_GET_OWN_USER_WITHOUT_USER",
        "ANONYMOUS_AUTHENTICATION_NOT_ALLOWED",
        "RESTRICTED_USER_NOT_ALLOWED",
        "BRANCH_DOES_NOT_EXIST",
        "PROJECT_KEY_WITHOUT_ACCESS_TYPE",
        "ACCESS_TYPE_WITHOUT_PROJECT_ID",
        "INVALID_SECRET_SERVER_KEY",
    ] {
        assert!(codes.contains(&want), "{want} not covered: {codes:?}");
    }
}

#[tokio::test]
async fn an_overridden_error_status_is_answered_under_both_names() {
    let stack = LocalStackAuth::start().await.unwrap();
    for name in [
        "x-stack-override-error-status",
        "x-hexclave-override-error-status",
    ] {
        let ans = get(
            &stack,
            ME,
            &[("x-hexclave-access-type", "server"), (name, "true")],
        )
        .await;
        assert_eq!(ans.status, 200, "{name}");
        assert_eq!(ans.header("x-stack-actual-status"), Some("400"), "{name}");
        assert_eq!(
            ans.header("x-hexclave-actual-status"),
            Some("400"),
            "{name}"
        );
        assert_eq!(
            ans.header("x-hexclave-known-error"),
            Some("ACCESS_TYPE_WITHOUT_PROJECT_ID")
        );
    }
    let plain = get(&stack, ME, &[("x-hexclave-access-type", "server")]).await;
    assert_eq!(plain.status, 400);
    assert!(plain.header("x-hexclave-actual-status").is_none());
}

fn server_headers(stack: &LocalStackAuth) -> Vec<(String, String)> {
    vec![
        ("x-hexclave-access-type".into(), "server".into()),
        ("x-hexclave-project-id".into(), stack.project_id().into()),
        (
            "x-hexclave-secret-server-key".into(),
            stack.secret_server_key().expose().into(),
        ),
    ]
}

async fn by_id(stack: &LocalStackAuth, id: &str, headers: &[(String, String)]) -> Answer {
    let pairs: Vec<(&str, &str)> = headers
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    get(stack, &format!("/api/v1/users/{id}"), &pairs).await
}

#[tokio::test]
async fn users_are_read_by_id_with_server_access() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let anon = stack.create_user(UserSpec::anonymous()).unwrap();
    let headers = server_headers(&stack);
    // the same object as users/me, for every user type (no filtering)
    let token = stack.mint(&ada);
    let mut me_headers = headers.clone();
    me_headers.push(("x-hexclave-access-token".into(), token));
    let me = by_id(&stack, "me", &me_headers).await;
    let got = by_id(&stack, &ada.id, &headers).await;
    assert_eq!((got.status, got.json()), (200, me.json()));
    assert_eq!(got.json()["id"], ada.id.as_str());
    let got = by_id(&stack, &anon.id, &headers).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.json()["is_anonymous"], true);

    let missing = by_id(&stack, &uuid_for_name("nobody"), &headers).await;
    assert_eq!(missing.assert_known(404, "USER_NOT_FOUND"), None);
    assert_eq!(missing.json()["error"], "User not found.");
    stack.delete_user(&ada.id).unwrap();
    by_id(&stack, &ada.id, &headers)
        .await
        .assert_known(404, "USER_NOT_FOUND");

    let details = by_id(&stack, "alice", &headers)
        .await
        .assert_known(400, "SCHEMA_ERROR")
        .unwrap();
    assert_eq!(
        details["message"],
        "Request validation failed on GET /api/v1/users/alice:\n  - params.user_id must be a valid UUID"
    );
    let mut client = headers.clone();
    client[0].1 = "client".into();
    let details = by_id(&stack, "123", &client)
        .await
        .assert_known(401, "INSUFFICIENT_ACCESS_TYPE")
        .unwrap();
    assert_eq!(
        details,
        serde_json::json!({"actual_access_type": "client", "allowed_access_types": ["server", "admin"]})
    );
    by_id(&stack, &anon.id, &[])
        .await
        .assert_known(400, "ACCESS_TYPE_REQUIRED");
    let mut wrong_key = headers.clone();
    wrong_key[2].1 = "ssk_wrong".into();
    by_id(&stack, &anon.id, &wrong_key)
        .await
        .assert_known(401, "INVALID_SECRET_SERVER_KEY");
}

#[tokio::test]
async fn user_ids_are_uuids() {
    let stack = LocalStackAuth::start().await.unwrap();
    assert!(stack.create_user(UserSpec::normal().id("alice")).is_err());
    let alice = stack
        .create_user(UserSpec::normal().id(uuid_for_name("alice")))
        .unwrap();
    assert_eq!(alice.id, uuid_for_name("alice"));
}

#[tokio::test]
async fn another_origins_issuer_passes_only_when_accepted() {
    let plain = LocalStackAuth::start().await.unwrap();
    let aliased = LocalStackAuth::builder()
        .accept_issuer_origin("https://api.hexclave.com")
        .start()
        .await
        .unwrap();
    for (stack, accepted) in [(&plain, false), (&aliased, true)] {
        let user = stack.create_user(UserSpec::normal()).unwrap();
        let token = stack
            .token(&user)
            .issuer_origin("https://api.hexclave.com/ignored/path")
            .mint();
        let claims = stack
            .token(&user)
            .issuer_origin("https://api.hexclave.com")
            .claims_json();
        assert!(claims.contains(&format!(
            "\"iss\":\"https://api.hexclave.com/api/v1/projects/{}\"",
            stack.project_id()
        )));
        let mut headers = server_headers(stack);
        headers.push(("x-hexclave-access-token".into(), token));
        let ans = by_id(stack, "me", &headers).await;
        if accepted {
            assert_eq!(
                (ans.status, ans.json()["id"].clone()),
                (200, user.id.clone().into())
            );
        } else {
            ans.assert_known(401, "UNPARSABLE_ACCESS_TOKEN");
        }
        let config = stack.config();
        assert_eq!(config.issuer_origins().len(), 1 + usize::from(accepted));
    }
    assert!(LocalStackAuth::builder()
        .accept_issuer_origin("ftp://nope")
        .start()
        .await
        .is_err());
}
