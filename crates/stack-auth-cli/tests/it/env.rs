//! Every command reads the Hexclave names of its environment variables before the Stack Auth
//! ones (PROTOCOL §9.2), `serve --secret-server-key` included.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;

const SECRET: &str = "23-wuNpik0gIW4mruTz25rbIvhuuvZFrLOLtL7J4tyo";

fn claims_of(token: &str) -> serde_json::Value {
    let out = stack_auth()
        .args(["inspect", token, "--output", "json"])
        .output()
        .unwrap();
    stdout_json(&out)["payload"].clone()
}

#[test]
fn mint_reads_hexclave_variables_first() {
    let out = stack_auth()
        .arg("mint")
        .env("STACK_SERVER_SECRET", "not base64url!")
        .env("HEXCLAVE_SERVER_SECRET", SECRET)
        .env("STACK_PROJECT_ID", "stack-project")
        .env("HEXCLAVE_PROJECT_ID", "hexclave-project")
        .env("STACK_API_URL", "https://api.stack-auth.com")
        .env("HEXCLAVE_API_URL", "https://api.hexclave.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let claims = claims_of(String::from_utf8(out.stdout).unwrap().trim());
    assert_eq!(claims["aud"], "hexclave-project");
    assert_eq!(
        claims["iss"],
        "https://api.hexclave.com/api/v1/projects/hexclave-project"
    );
    // the Stack Auth names still work alone; an empty Hexclave one does not hide them
    let out = stack_auth()
        .arg("mint")
        .env("STACK_SERVER_SECRET", SECRET)
        .env("STACK_PROJECT_ID", "stack-project")
        .env("HEXCLAVE_PROJECT_ID", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", all_output(&out));
    let claims = claims_of(String::from_utf8(out.stdout).unwrap().trim());
    assert_eq!(claims["aud"], "stack-project");
}

#[test]
fn serve_and_verify_read_hexclave_variables_first() {
    let served = Served::start_with_env(
        &["--project", "p1", "--user", "ada"],
        &[
            ("HEXCLAVE_SERVER_SECRET", SECRET),
            ("STACK_SECRET_SERVER_KEY", "ssk_legacy_name"),
            ("HEXCLAVE_SECRET_SERVER_KEY", "ssk_hexclave_name"),
        ],
    );
    assert_eq!(served.keys["p1"], "(as given)", "{:?}", served.banner);
    assert_eq!(served.secret, SECRET);
    let token = served.mint("p1", "ada", &[]);
    let verify = |env: &[(&str, &str)]| {
        let mut cmd = stack_auth();
        cmd.args(["verify", &token, "--strategy", "rest", "--output", "json"]);
        cmd.envs(env.iter().copied());
        cmd.output().unwrap()
    };
    let base = served.base_url.as_str();
    let out = verify(&[
        ("STACK_PROJECT_ID", "wrong-project"),
        ("HEXCLAVE_PROJECT_ID", "p1"),
        ("STACK_API_URL", "http://127.0.0.1:9"),
        ("HEXCLAVE_API_URL", base),
        ("STACK_SECRET_SERVER_KEY", "ssk_wrong"),
        ("HEXCLAVE_SECRET_SERVER_KEY", "ssk_hexclave_name"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
    // serve took the Hexclave key: the legacy-named one is not valid
    let out = verify(&[
        ("STACK_PROJECT_ID", "p1"),
        ("STACK_API_URL", base),
        ("STACK_SECRET_SERVER_KEY", "ssk_legacy_name"),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", all_output(&out));
    assert_eq!(stdout_json(&out)["kind"], "invalid_secret_server_key");
}

#[test]
fn jwks_reads_hexclave_variables_first() {
    let served = Served::start(&["--project", "p1"]);
    let out = stack_auth()
        .args(["jwks", "--output", "json"])
        .env("STACK_PROJECT_ID", "p-unknown")
        .env("HEXCLAVE_PROJECT_ID", "p1")
        .env("STACK_API_URL", "http://127.0.0.1:9")
        .env("HEXCLAVE_API_URL", &served.base_url)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", all_output(&out));
}
