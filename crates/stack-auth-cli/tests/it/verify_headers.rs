//! `stack-auth verify --headers`: a pasted request's headers, the token taken from them as the
//! SDK takes it on a server, and the source it used reported (PROTOCOL §9.2).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use base64::{engine::general_purpose::STANDARD, Engine as _};

use crate::support::*;

fn token() -> String {
    case("normal-user")["token"].as_str().unwrap().to_owned()
}

/// `verify --headers -` with `request` on standard input, offline against the fixture keys.
fn verify_request(request: &str, output: &str) -> Output {
    verify_request_bytes(request.as_bytes(), output)
}

fn verify_request_bytes(request: &[u8], output: &str) -> Output {
    let pid = cases_file()["project_id"].as_str().unwrap().to_owned();
    stack_auth()
        .args([
            "verify",
            "--headers",
            "-",
            "--project-id",
            &pid,
            "--output",
            output,
        ])
        .arg("--jwks-file")
        .arg(jwks_file(&pid))
        .write_stdin(request.to_vec())
        .output()
        .unwrap()
}

/// `Authorization` as `user.getAuthorizationHeader()` builds it (PROTOCOL §9.2).
fn auth_json(prefix: &str, access: &str) -> String {
    let json = format!(r#"{{"accessToken":"{access}","refreshToken":"refresh-1"}}"#);
    format!("Bearer {prefix}{}", STANDARD.encode(json))
}

#[test]
fn each_source_is_found_and_reported() {
    let t = token();
    let cookie = |name: &str| format!("Cookie: theme=dark; {name}=%5B%22r%22%2C%22{t}%22%5D");
    let cases = [
        (
            format!("x-hexclave-access-token: {t}"),
            "hexclave_access_token_header",
        ),
        (format!("X-Stack-Access-Token: {t}"), "access_token_header"),
        (
            format!("Authorization: {}", auth_json("stackauth_", &t)),
            "authorization_bearer_auth_json",
        ),
        (
            format!("Authorization: {}", auth_json("hexclave_", &t)),
            "authorization_bearer_auth_json",
        ),
        (format!("Authorization: Bearer {t}"), "authorization_bearer"),
        (
            format!(r#"x-stack-auth: {{"accessToken":"{t}"}}"#),
            "stack_auth_header",
        ),
        (cookie("hexclave-access"), "hexclave_access_cookie"),
        (cookie("stack-access"), "stack_access_cookie"),
    ];
    for (header, source) in cases {
        let request = format!(
            "POST /api/items HTTP/1.1\r\nHost: app.example.com\r\n{header}\r\n\
             Content-Type: application/json\r\n\r\n{{\"name\": \"x: y\"}}\r\n"
        );
        let out = verify_request(&request, "json");
        let got = stdout_json(&out);
        assert_eq!(out.status.code(), Some(0), "{header}: {got}");
        assert_eq!(got["source"], source, "{header}");
        assert_eq!(got["user_id"], "cd582a99-d579-43d9-ab8e-58b46f20adbb");
        assert_eq!(got["issued_by"], "https://api.stack-auth.com");
        assert!(!all_output(&out).contains(&t), "the output shows the token");
    }
}

#[test]
fn a_non_ascii_cookie_does_not_hide_the_access_cookie() {
    let t = token();
    let request = format!(
        "GET / HTTP/1.1\nCookie: lang=fran\u{e7}ais; hexclave-access=%5B%22r%22%2C%22{t}%22%5D\n"
    );
    let out = verify_request_bytes(request.as_bytes(), "text");
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("  source    hexclave-access cookie\n"),
        "{text}"
    );
    assert!(
        text.contains("  issued by https://api.stack-auth.com (hosted service, Stack Auth host)"),
        "{text}"
    );
}

#[test]
fn a_request_without_a_token_is_refused_as_missing_token() {
    for request in [
        "GET / HTTP/1.1\nHost: x\n",
        "",
        "Authorization: Basic dXNlcjpwYXNz\n",
    ] {
        let out = verify_request(request, "json");
        let got = stdout_json(&out);
        assert_eq!(out.status.code(), Some(1), "{request:?}: {got}");
        assert_eq!(got["reason"], "missing_token");
        assert!(got["source"].is_null());
    }
}

#[test]
fn ambiguous_or_undecodable_headers_are_refused_with_the_reason() {
    let t = token();
    let cases = [
        (
            format!("x-hexclave-access-token: {t}\nx-stack-access-token: other.token.here\n"),
            "x-hexclave-access-token and x-stack-access-token carry different tokens",
            "hexclave_access_token_header",
        ),
        (
            "Authorization: Bearer stackauth_not-base64!\n".to_owned(),
            "authorization is malformed: auth JSON is not base64",
            "authorization_bearer_auth_json",
        ),
        (
            format!(
                "Authorization: Bearer stackauth_{}\n",
                STANDARD.encode("[1]")
            ),
            "authorization is malformed: auth JSON is not an object",
            "authorization_bearer_auth_json",
        ),
        (
            "Cookie: stack-access=a; stack-access=b\n".to_owned(),
            "stack-access cookie is sent more than once",
            "stack_access_cookie",
        ),
    ];
    for (request, message, source) in cases {
        let out = verify_request(&request, "json");
        let got = stdout_json(&out);
        assert_eq!(out.status.code(), Some(1), "{request}: {got}");
        assert_eq!(got["reason"], "invalid_request", "{request}");
        assert!(
            got["message"].as_str().unwrap().starts_with(message),
            "{got}"
        );
        assert_eq!(got["source"], source);
        assert!(!all_output(&out).contains(&t));
    }
}

#[test]
fn unreadable_header_files_are_usage_errors() {
    let out = verify_request("GET / HTTP/1.1\nHost: x\nthis is not a header\n", "json");
    assert_eq!(out.status.code(), Some(2));
    let got = stdout_json(&out);
    assert_eq!(got["error"], "config");
    assert!(
        got["message"]
            .as_str()
            .unwrap()
            .contains("line 3 is not a `Name: value` header line"),
        "{got}"
    );
    stack_auth()
        .args([
            "verify",
            "--headers",
            "/nonexistent/request.txt",
            "--project-id",
            "p",
        ])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read the request headers"));
    stack_auth()
        .args(["verify", "a.b.c", "--headers", "-", "--project-id", "p"])
        .assert()
        .code(2);
}

#[test]
fn a_headers_file_is_read_like_standard_input() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("request-headers.txt");
    std::fs::write(&path, format!("authorization: Bearer {}\n", token())).unwrap();
    let pid = cases_file()["project_id"].as_str().unwrap().to_owned();
    let out = stack_auth()
        .args([
            "verify",
            "--project-id",
            &pid,
            "--output",
            "json",
            "--headers",
        ])
        .arg(&path)
        .arg("--jwks-file")
        .arg(jwks_file(&pid))
        .output()
        .unwrap();
    let got = stdout_json(&out);
    assert_eq!(out.status.code(), Some(0), "{got}");
    assert_eq!(got["source"], "authorization_bearer");
}
