//! `stack-auth serve`, `mint` and `jwks`: the banner, the port, a real deployment's keys, minted
//! tokens, and the key set with its cache headers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::TcpListener;

use predicates::prelude::PredicateBooleanExt;
use serde_json::Value;

use stack_auth_testkit::{is_uuid, uuid_for_name};

use crate::support::*;

fn vectors() -> Value {
    let path = interop_dir().join("derivation-vectors.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn serve_prints_its_base_url_first_and_generates_what_is_missing() {
    let served = Served::start(&["--user", "u1", "--user", "u2:anonymous"]);
    assert!(
        served.base_url.starts_with("http://127.0.0.1:"),
        "{:?}",
        served.banner
    );
    assert_eq!(served.keys.len(), 1);
    let (project, key) = served.keys.iter().next().unwrap();
    assert!(key.starts_with("ssk_"), "{key}");
    // Users given by name get UUID ids (Stack Auth's schemas refuse others), the name kept.
    let (u1, u2) = (uuid_for_name("u1"), uuid_for_name("u2"));
    assert!(is_uuid(&u1) && is_uuid(&u2));
    assert!(
        served
            .banner
            .contains(&format!("user {u1} normal {project} u1")),
        "{:?}",
        served.banner
    );
    assert!(served
        .banner
        .contains(&format!("user {u2} anonymous {project} u2")));
    assert!(!served.secret.is_empty());
    // The printed key works: users/me through the rest strategy.
    let token = served.mint(project, "u1", &[]);
    stack_auth()
        .args([
            "verify",
            &token,
            "--strategy",
            "rest",
            "--project-id",
            project,
        ])
        .args(["--base-url", &served.base_url, "--secret-server-key", key])
        .assert()
        .code(0);
}

#[cfg(unix)]
#[test]
fn serve_stops_cleanly_when_interrupted_or_terminated() {
    for (signal, said) in [("INT", "interrupted"), ("TERM", "terminated")] {
        let mut served = Served::start(&[]);
        let addr = served.base_url.trim_start_matches("http://").to_owned();
        let (code, stderr) = served.stop_with(signal);
        assert_eq!(code, Some(0), "{signal}: {stderr}");
        assert!(
            stderr.contains(&format!("stand-in stopped ({said})")),
            "{stderr}"
        );
        assert!(
            std::net::TcpStream::connect(&addr).is_err(),
            "still listening"
        );
    }
}

#[test]
fn serve_listens_on_the_given_port_and_refuses_a_taken_one() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    stack_auth()
        .args(["serve", "--port", &port])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("error:"));
    drop(taken);

    // A port found free can be taken by another process before serve binds it: try a few.
    let mut failures = Vec::new();
    for _ in 0..5 {
        let free = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = free.local_addr().unwrap().port();
        drop(free);
        match Served::try_start(&["--port", &port.to_string()]) {
            Ok(served) => {
                assert_eq!(served.base_url, format!("http://127.0.0.1:{port}"));
                return;
            }
            Err(e) => failures.push(e),
        }
    }
    panic!("serve never started on a free port: {failures:?}");
}

#[test]
fn with_a_deployments_secret_the_keys_are_that_deployments_keys() {
    let v = vectors();
    let secret = v["secret"].as_str().unwrap();
    let vector = &v["vectors"][0];
    let audience = vector["audience"].as_str().unwrap();
    let want: Vec<&str> = vector["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    let served = Served::start(&["--secret", secret, "--project", audience]);
    assert!(served.banner.iter().all(|l| !l.starts_with("secret ")));
    let out = stack_auth()
        .args([
            "jwks",
            "--project-id",
            audience,
            "--base-url",
            &served.base_url,
        ])
        .args(["--include", "normal", "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let j = stdout_json(&out);
    let kids: Vec<&str> = j["jwks"]["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kid"].as_str().unwrap())
        .collect();
    assert_eq!(kids, want);
    assert_eq!(j["headers"]["cache-control"], "public, max-age=3600");
    assert_eq!(j["status"], 200);
    assert!(j["url"]
        .as_str()
        .unwrap()
        .ends_with("/.well-known/jwks.json"));
}

#[test]
fn a_token_minted_offline_verifies_against_the_deployments_published_keys() {
    let v = vectors();
    let vector = &v["vectors"][0];
    let audience = vector["audience"].as_str().unwrap();
    // The public halves of the derived keys, as the real JWKS endpoint publishes them.
    let public: Vec<Value> = vector["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let mut k = k.clone();
            k.as_object_mut().unwrap().remove("d");
            k
        })
        .collect();
    let jwks = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("vector-0.jwks.json");
    std::fs::write(&jwks, serde_json::json!({ "keys": public }).to_string()).unwrap();

    let out = stack_auth()
        .args([
            "mint",
            "--secret",
            v["secret"].as_str().unwrap(),
            "--project",
            audience,
        ])
        .args(["--user", "u-offline", "--email", "grace@example.com"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap();
    let out = stack_auth()
        .args(["verify", "--project-id", audience, "--output", "json"])
        .arg("--jwks-file")
        .arg(&jwks)
        .write_stdin(token)
        .output()
        .unwrap();
    let j = stdout_json(&out);
    assert_eq!(out.status.code(), Some(0), "{j}");
    assert_eq!(j["user_id"], uuid_for_name("u-offline"));
    assert_eq!(j["claims"]["name"], "u-offline");
    assert_eq!(j["email"], "grace@example.com");
    assert_eq!(
        j["claims"]["iss"],
        format!("https://api.stack-auth.com/api/v1/projects/{audience}")
    );
}

#[test]
fn mint_sets_the_type_and_expiry_asked_for() {
    let served = Served::start(&[]);
    let project = served.keys.keys().next().unwrap().clone();
    let token = served.mint(
        &project,
        "a1",
        &["--type", "restricted-by-admin", "--exp", "4102444800"],
    );
    let out = stack_auth()
        .args(["inspect", &token, "--output", "json"])
        .output()
        .unwrap();
    let j = stdout_json(&out);
    assert_eq!(j["user_type"], "restricted");
    assert_eq!(
        j["payload"]["restricted_reason"]["type"],
        "restricted_by_administrator"
    );
    assert_eq!(j["expires_at"], 4_102_444_800_i64);
    assert_eq!(j["payload"]["aud"], format!("{project}:restricted"));

    stack_auth()
        .args([
            "mint",
            "--secret",
            &served.secret,
            "--project",
            &project,
            "--exp",
            "soon",
        ])
        .assert()
        .code(2);
    stack_auth()
        .args(["mint", "--secret", "not base64!", "--project", &project])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot mint"))
        .stderr(predicates::str::contains("not base64!").not());
    stack_auth()
        .args(["serve", "--secret", "not base64!"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("server secret is not base64url"))
        .stderr(predicates::str::contains("not base64!").not());
}

#[test]
fn jwks_shows_the_key_set_and_its_cache_headers() {
    let served = Served::start(&["--project", "p-jwks"]);
    let out = stack_auth()
        .args([
            "jwks",
            "--project-id",
            "p-jwks",
            "--base-url",
            &served.base_url,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.contains("?include_anonymous=true"), "{t}");
    assert!(
        t.contains("cache-control  public, max-age=3600  (fresh for 1 hour)"),
        "{t}"
    );
    assert!(t.contains("6 keys:"), "{t}");
    assert_eq!(t.matches("EC P-256 ES256").count(), 6, "{t}");

    let out = stack_auth()
        .args([
            "jwks",
            "--project-id",
            "no-such-project",
            "--base-url",
            &served.base_url,
        ])
        .args(["--output", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout_json(&out)["error"], "misconfigured");
}

#[test]
fn jwks_of_a_stopped_stand_in_is_unavailable() {
    let mut served = Served::start(&["--project", "p-down"]);
    served.kill();
    stack_auth()
        .args([
            "jwks",
            "--project-id",
            "p-down",
            "--base-url",
            &served.base_url,
        ])
        .args(["--timeout", "2s"])
        .assert()
        .code(3)
        .stderr(predicates::str::contains("error: GET "));
}

#[test]
fn secrets_and_keys_may_start_with_a_hyphen() {
    // base64url secrets start with '-' one time in 64; a test once drew one and clap took the
    // value for a flag.
    let secret = "-6-wuNpik0gIW4mruTz25rbIvhuuvZFrLOLtL7J4tyo";
    let token = stack_auth()
        .args([
            "mint",
            "--secret",
            secret,
            "--project",
            "p1",
            "--user",
            "u1",
        ])
        .output()
        .unwrap();
    assert!(token.status.success(), "{}", all_output(&token));
    let mut served = Served::start(&[
        "--secret",
        secret,
        "--project",
        "p1",
        "--secret-server-key",
        "-ssk_starts_with_a_hyphen",
        "--user",
        "u1",
    ]);
    assert_eq!(served.secret, secret);
    let token = served.mint("p1", "u1", &[]);
    stack_auth()
        .args(["verify", &token, "--project-id", "p1", "--strategy", "rest"])
        .args(["--base-url", &served.base_url])
        .args(["--secret-server-key", "-ssk_starts_with_a_hyphen"])
        .assert()
        .code(0);
    served.stop_with("TERM");
}

/// Serves one fixed HTTP answer on 127.0.0.1 and returns its base URL.
fn one_shot_server(status: &str, body: &'static str) -> String {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let status = status.to_owned();
    std::thread::spawn(move || {
        if let Ok((mut conn, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            let answer = format!(
                "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = conn.write_all(answer.as_bytes());
        }
    });
    format!("http://{addr}")
}

#[test]
fn jwks_never_prints_terminal_escapes_from_the_server() {
    let keys = r#"{"keys":[{"kty":"EC","alg":"ES256","crv":"P-256","x":"a","y":"b","kid":"evil\u001b[2J"}]}"#;
    let out = stack_auth()
        .args([
            "jwks",
            "--project-id",
            "p1",
            "--base-url",
            &one_shot_server("200 OK", keys),
        ])
        .output()
        .unwrap();
    let text = all_output(&out);
    assert!(text.contains("evil"), "{text}");
    assert!(!text.contains('\u{1b}'), "{text:?}");
    let out = stack_auth()
        .args(["jwks", "--project-id", "p1"])
        .args([
            "--base-url",
            &one_shot_server("500 Internal Server Error", "boom\u{1b}[31m"),
        ])
        .output()
        .unwrap();
    let text = all_output(&out);
    assert!(!text.contains('\u{1b}'), "{text:?}");
}
