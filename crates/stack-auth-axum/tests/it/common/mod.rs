//! Shared helpers for the integration tests: users, a recording verifier and a one-shot client.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::sync::Arc;

use axum::{body::Body, Router};
use http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use stack_auth_core::{
    test_util::{RecordingVerifier, StaticVerifier},
    RefusalReason, RestrictedReason, UserType, VerifiedUser,
};
use tower::ServiceExt;

/// A token the test verifier accepts as a normal user. Distinctive, so leaks are easy to find.
pub const GOOD: &str = "eyJhbGciOiJFUzI1NiJ9.Z29vZC11c2VyLWxlYWstY2FuYXJ5.c2lnbmF0dXJl";
/// A token the test verifier accepts as an anonymous user.
pub const ANON: &str = "eyJhbGciOiJFUzI1NiJ9.YW5vbi11c2VyLWxlYWstY2FuYXJ5.c2lnbmF0dXJl";
/// A token the test verifier refuses (bad signature, like every unknown token).
pub const BAD: &str = "eyJhbGciOiJFUzI1NiJ9.YmFkLXVzZXItbGVhay1jYW5hcnk.c2lnbmF0dXJl";

pub fn normal_user() -> VerifiedUser {
    VerifiedUser::new("user-normal", "project-1", UserType::Normal, None)
}

pub fn anonymous_user() -> VerifiedUser {
    VerifiedUser::new(
        "user-anon",
        "project-1",
        UserType::Anonymous,
        Some(RestrictedReason::Anonymous),
    )
}

/// Accepts [`GOOD`] and [`ANON`], refuses everything else as `bad_signature`, and counts calls.
pub fn recording() -> Arc<RecordingVerifier<StaticVerifier>> {
    Arc::new(RecordingVerifier::new(
        StaticVerifier::refuse(RefusalReason::BadSignature)
            .with_token(GOOD, Ok(normal_user()))
            .with_token(ANON, Ok(anonymous_user())),
    ))
}

/// A GET request to `uri` with the given headers.
pub fn get(uri: &str, headers: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::get(uri);
    for (name, value) in headers {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::empty()).unwrap()
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
}

impl Reply {
    /// The body as JSON (panics if it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// A header as a string, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Asserts the reply mentions none of the test tokens, nor any part of them.
    pub fn assert_no_token(&self) {
        let mut all = self.body.clone();
        for (name, value) in &self.headers {
            all.push_str(name.as_str());
            all.push_str(&String::from_utf8_lossy(value.as_bytes()));
        }
        for token in [GOOD, ANON, BAD] {
            for part in token.split('.') {
                assert!(!all.contains(part), "reply leaks part of a token: {self:?}");
            }
        }
        assert!(!all.contains("leak-canary"), "reply leaks: {self:?}");
    }

    /// Asserts the default error body: `{"error": code, "message": <non-empty>}` as JSON.
    pub fn assert_error_body(&self, code: &str) {
        assert_eq!(self.header("content-type"), Some("application/json"));
        let json = self.json();
        let object = json.as_object().unwrap();
        assert_eq!(object.len(), 2, "unexpected body {json}");
        assert_eq!(json["error"], code);
        assert!(!json["message"].as_str().unwrap().is_empty());
    }
}

/// Sends one request through `app`.
pub async fn send(app: Router, request: Request<Body>) -> Reply {
    let response = app.oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    Reply {
        status,
        headers,
        body: String::from_utf8(bytes.to_vec()).unwrap(),
    }
}
