//! Shared helpers for the integration tests: users, a recording verifier and a one-call client
//! through actix-web's test service.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used)]

use std::sync::Arc;

use actix_web::{
    body::MessageBody,
    dev::{Service, ServiceResponse},
    http::StatusCode,
    test::{self, TestRequest},
    Error,
};
use stack_auth_core::{
    test_util::{RecordingVerifier, StaticVerifier},
    RefusalReason, RestrictedReason, UserType, VerifiedUser,
};

/// A token the test verifier accepts as a normal user. Distinctive, so leaks are easy to find.
pub const GOOD: &str = "eyJhbGciOiJFUzI1NiJ9.Z29vZC11c2VyLWxlYWstY2FuYXJ5.c2lnbmF0dXJl";
/// A token the test verifier accepts as an anonymous user.
pub const ANON: &str = "eyJhbGciOiJFUzI1NiJ9.YW5vbi11c2VyLWxlYWstY2FuYXJ5.c2lnbmF0dXJl";
/// A token the test verifier refuses (bad signature, like every unknown token).
pub const BAD: &str = "eyJhbGciOiJFUzI1NiJ9.YmFkLXVzZXItbGVhay1jYW5hcnk.c2lnbmF0dXJl";

pub type Rec = Arc<RecordingVerifier<StaticVerifier>>;

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
pub fn recording() -> Rec {
    Arc::new(RecordingVerifier::new(
        StaticVerifier::refuse(RefusalReason::BadSignature)
            .with_token(GOOD, Ok(normal_user()))
            .with_token(ANON, Ok(anonymous_user())),
    ))
}

/// The stack-access cookie as Stack Auth's web SDK sets it, carrying `token`.
pub fn cookie(token: &str) -> String {
    format!("stack-access=%5B%22refresh-1%22%2C%22{token}%22%5D")
}

/// A GET request to `uri` with the given headers.
pub fn get(uri: &str, headers: &[(&str, &str)]) -> TestRequest {
    with_headers(TestRequest::get().uri(uri), headers)
}

/// A POST request to `uri` with the given headers.
pub fn post(uri: &str, headers: &[(&str, &str)]) -> TestRequest {
    with_headers(TestRequest::post().uri(uri), headers)
}

fn with_headers(mut request: TestRequest, headers: &[(&str, &str)]) -> TestRequest {
    for (name, value) in headers {
        request = request.append_header((*name, *value));
    }
    request
}

/// What came back.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    /// The body as JSON (panics if it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap()
    }

    /// A header as a string, if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Asserts the reply mentions none of the test tokens, nor any part of them.
    pub fn assert_no_token(&self) {
        let mut all = self.body.clone();
        for (name, value) in &self.headers {
            all.push_str(name);
            all.push_str(value);
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

/// Sends one request through an initialised app (`test::init_service`).
pub async fn send<S, B>(app: &S, request: TestRequest) -> Reply
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = Error>,
    B: MessageBody,
{
    let response = test::call_service(app, request.to_request()).await;
    let status = response.status();
    let headers = response
        .headers()
        .iter()
        .map(|(n, v)| {
            let value = String::from_utf8_lossy(v.as_bytes()).into_owned();
            (n.as_str().to_owned(), value)
        })
        .collect();
    let body = test::read_body(response).await;
    Reply {
        status,
        headers,
        body: String::from_utf8(body.to_vec()).unwrap(),
    }
}
