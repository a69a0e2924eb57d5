//! `stack-auth verify --jwks-file` over every case of `fixtures/interop/cases.json`: the exit code
//! and the JSON answer, with the token as an argument and on standard input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::Value;

use crate::support::*;

/// Linux refuses a single argument over 128 KiB: such tokens only go through standard input.
const MAX_ARG_LEN: usize = 100 * 1024;

/// How a case's token reaches the command.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Via {
    Argument,
    Stdin,
}

/// `verify` configured as the case says: its project, the fixtures' deployment, its key file and
/// the user types it allows.
fn verify_case(case: &Value, default_pid: &str, base_url: &str, via: Via) -> std::process::Output {
    let pid = case["project_id"].as_str().unwrap_or(default_pid);
    let token = case["token"].as_str().unwrap();
    let allow: Vec<&str> = case["allow"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    let mut cmd = stack_auth();
    cmd.args(["verify", "--output", "json", "--project-id", pid])
        .args(["--base-url", base_url])
        .arg("--jwks-file")
        .arg(jwks_file(pid));
    if allow.contains(&"restricted") {
        cmd.arg("--allow-restricted");
    }
    if allow.contains(&"anonymous") {
        cmd.arg("--allow-anonymous");
    }
    match via {
        Via::Argument => cmd.arg(token),
        // A trailing newline, as `echo` or a file would have: it is dropped, nothing else is.
        Via::Stdin => cmd.write_stdin(format!("{token}\n")),
    };
    cmd.output().unwrap()
}

/// Runs every case `via`, returns the failures.
fn run_all(via: Via) -> Vec<String> {
    let file = cases_file();
    let default_pid = file["project_id"].as_str().unwrap();
    let base_url = file["base_url"].as_str().unwrap();
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let token = case["token"].as_str().unwrap();
        if via == Via::Argument && token.len() > MAX_ARG_LEN {
            continue;
        }
        ran += 1;
        let out = verify_case(case, default_pid, base_url, via);
        if let Err(why) = check(case, default_pid, &out) {
            failures.push(format!("{name} ({via:?}): {why}"));
        }
        if token.len() > 16 && all_output(&out).contains(token) {
            failures.push(format!("{name} ({via:?}): the output shows the token"));
        }
    }
    assert!(ran >= 40, "only {ran} cases ran");
    failures
}

fn check(case: &Value, default_pid: &str, out: &std::process::Output) -> Result<(), String> {
    let expect = &case["expect"];
    let got = stdout_json(out);
    let code = out.status.code();
    if expect["ok"] == true {
        if code != Some(0) {
            return Err(format!("exit {code:?}: {got}"));
        }
        let pid = case["project_id"].as_str().unwrap_or(default_pid);
        for key in ["user_id", "user_type", "restricted_reason", "email"] {
            if got[key] != expect[key] {
                return Err(format!("{key}: want {}, got {}", expect[key], got[key]));
            }
        }
        if got["ok"] != true
            || got["project_id"] != pid
            || got["claims"]["sub"] != expect["user_id"]
        {
            return Err(format!("bad accepted object: {got}"));
        }
        if !got["profile"].is_null() {
            return Err("the jwt strategy has no profile".to_owned());
        }
    } else {
        if code != Some(1) {
            return Err(format!("exit {code:?}: {got}"));
        }
        if got["ok"] != false || got["reason"] != expect["reason"] {
            return Err(format!("want reason {}, got {got}", expect["reason"]));
        }
        if got["message"].as_str().is_none_or(str::is_empty) {
            return Err(format!("no message: {got}"));
        }
    }
    Ok(())
}

#[test]
fn every_interop_case_as_an_argument() {
    let failures = run_all(Via::Argument);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_interop_case_on_standard_input() {
    let failures = run_all(Via::Stdin);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_dash_reads_standard_input_and_text_output_speaks_to_a_person() {
    let file = cases_file();
    let pid = file["project_id"].as_str().unwrap();
    let good = case("normal-user");
    let out = stack_auth()
        .args(["verify", "-", "--project-id", pid])
        .arg("--jwks-file")
        .arg(jwks_file(pid))
        .write_stdin(good["token"].as_str().unwrap())
        .assert()
        .code(0)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "✔ accepted: user cd582a99-d579-43d9-ab8e-58b46f20adbb (normal) ada@example.com, \
             expires in "
        ),
        "{text}"
    );
    assert!(text.contains("expires   2100-01-01T00:00:00Z"), "{text}");

    let expired = case("expired");
    let out = stack_auth()
        .args([
            "verify",
            expired["token"].as_str().unwrap(),
            "--project-id",
            pid,
        ])
        .arg("--jwks-file")
        .arg(jwks_file(pid))
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("✘ refused: expired (token expired "),
        "{text}"
    );
    assert!(text.trim_end().ends_with("years ago)"), "{text}");
}

#[test]
fn an_unusable_jwks_file_is_a_configuration_error() {
    let pid = cases_file()["project_id"].as_str().unwrap().to_owned();
    let token = case("normal-user")["token"].as_str().unwrap().to_owned();
    let not_jwks = interop_dir().join("cases.json");
    let out = stack_auth()
        .args(["verify", &token, "--project-id", &pid, "--output", "json"])
        .arg("--jwks-file")
        .arg(&not_jwks)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let got = stdout_json(&out);
    assert_eq!(got["ok"], false);
    assert_eq!(got["error"], "config");
    assert!(
        got["message"].as_str().unwrap().contains("is not usable"),
        "{got}"
    );

    stack_auth()
        .args(["verify", &token, "--project-id", &pid])
        .args(["--jwks-file", "/nonexistent/jwks.json"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("cannot read the JWKS file"));
}
