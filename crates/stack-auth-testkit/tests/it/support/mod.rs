//! Shared helpers for the integration tests: raw HTTP calls to the stand-in.
#![allow(clippy::unwrap_used)]
#![allow(dead_code, unreachable_pub)]

use serde_json::Value;
use stack_auth_testkit::LocalStackAuth;

pub mod js_sdk;
pub mod receiver;

/// A raw answer.
#[derive(Debug)]
pub struct Answer {
    /// The status.
    pub status: u16,
    /// The headers.
    pub headers: reqwest::header::HeaderMap,
    /// The body.
    pub text: String,
}

impl Answer {
    /// A header value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }

    /// Asserts a KnownError exactly as PROTOCOL §4.1 and §9.3 describe it (the code in both
    /// known-error headers) and returns its details.
    pub fn assert_known(&self, status: u16, code: &str) -> Option<Value> {
        assert_eq!(
            (self.status, self.header("x-stack-known-error")),
            (status, Some(code)),
            "{}",
            self.text
        );
        assert_eq!(self.header("x-hexclave-known-error"), Some(code));
        assert_eq!(
            self.header("content-type"),
            Some("application/json; charset=utf-8")
        );
        assert_eq!(self.header("cache-control"), Some("no-store, max-age=0"));
        assert!(self.header("x-stack-request-id").is_some());
        let body = self.json();
        assert_eq!(body["code"], code);
        assert!(
            body["error"].as_str().is_some_and(|e| !e.is_empty()),
            "`error` holds the message"
        );
        assert!(body.get("message").is_none());
        assert_eq!(
            self.text,
            serde_json::to_string_pretty(&body).unwrap(),
            "2-space pretty JSON"
        );
        let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
        assert!(keys
            .iter()
            .all(|k| ["code", "details", "error"].contains(&k.as_str())));
        body.get("details").cloned()
    }
}

/// `GET base + path` with `headers`.
pub async fn get(stack: &LocalStackAuth, path: &str, headers: &[(&str, &str)]) -> Answer {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let mut req = client.get(format!("{}{path}", stack.base_url()));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    Answer {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        text: res.text().await.unwrap(),
    }
}

/// `headers` with every `x-stack-` name renamed to its `x-hexclave-` name.
pub fn as_hexclave<'a>(headers: &[(&'a str, &'a str)]) -> Vec<(String, &'a str)> {
    headers
        .iter()
        .map(|(k, v)| match k.strip_prefix("x-stack-") {
            Some(rest) => (format!("x-hexclave-{rest}"), *v),
            None => ((*k).to_owned(), *v),
        })
        .collect()
}

/// users/me with server access for the default project, plus `extra` headers.
pub async fn me(stack: &LocalStackAuth, token: Option<&str>, extra: &[(&str, &str)]) -> Answer {
    let key = stack.secret_server_key();
    let mut headers = vec![
        ("x-stack-access-type", "server"),
        ("x-stack-project-id", stack.project_id()),
        ("x-stack-secret-server-key", key.expose()),
    ];
    if let Some(t) = token {
        headers.push(("x-stack-access-token", t));
    }
    headers.extend_from_slice(extra);
    get(stack, "/api/v1/users/me", &headers).await
}

/// `method base + path` with `headers` and an optional JSON `body` (sent with
/// `content-type: application/json`).
pub async fn send(
    stack: &LocalStackAuth,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> Answer {
    let client = reqwest::Client::new();
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = client.request(method, format!("{}{path}", stack.base_url()));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(body) = body {
        req = req
            .header("content-type", "application/json")
            .body(body.to_owned());
    }
    let res = req.send().await.unwrap();
    Answer {
        status: res.status().as_u16(),
        headers: res.headers().clone(),
        text: res.text().await.unwrap(),
    }
}

/// The server-access headers of the default project (`x-stack-` names), owned.
pub fn server(stack: &LocalStackAuth) -> Vec<(String, String)> {
    vec![
        ("x-stack-access-type".into(), "server".into()),
        ("x-stack-project-id".into(), stack.project_id().into()),
        (
            "x-stack-secret-server-key".into(),
            stack.secret_server_key().expose().into(),
        ),
    ]
}

/// The client-access headers of the default project, with `token`.
pub fn client(stack: &LocalStackAuth, token: Option<&str>) -> Vec<(String, String)> {
    let mut h = vec![
        ("x-stack-access-type".into(), "client".into()),
        ("x-stack-project-id".into(), stack.project_id().into()),
    ];
    if let Some(t) = token {
        h.push(("x-stack-access-token".into(), t.into()));
    }
    h
}

/// `owned` as borrowed pairs, plus `extra`.
pub fn pairs<'a>(
    owned: &'a [(String, String)],
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .chain(extra.iter().copied())
        .collect()
}

impl Answer {
    /// Asserts a plain-text `StatusError` answer (no known-error header) with this text.
    pub fn assert_plain(&self, status: u16, text: &str) {
        assert_eq!((self.status, self.text.as_str()), (status, text));
        assert_eq!(
            self.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
        assert!(self.header("x-stack-known-error").is_none());
        assert!(self.header("x-hexclave-known-error").is_none());
    }

    /// The `items` of a CRUD list answer, after checking the envelope.
    pub fn items(&self) -> Vec<Value> {
        assert_eq!(self.status, 200, "{}", self.text);
        let body = self.json();
        assert_eq!(body["is_paginated"], false, "{}", self.text);
        assert_eq!(body.as_object().unwrap().len(), 2, "{}", self.text);
        body["items"].as_array().unwrap().clone()
    }
}
