//! `stack-auth verify --jwks-file` over every case of `fixtures/interop/cases.json` and
//! `fixtures/interop-brand/cases.json` (each with its own base URL): the exit code and the JSON
//! answer, with the token as an argument and on standard input.
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

/// `verify` configured as the case of `fixtures/<fixture>` says: its project, its deployment,
/// its key file and the user types it allows.
fn verify_case(fixture: &str, case: &Value, via: Via) -> std::process::Output {
    let pid = case["project_id"].as_str().unwrap();
    let base_url = case["base_url"].as_str().unwrap();
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
        .arg(jwks_file_in(fixture, pid));
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

/// Runs every case of `fixtures/<fixture>` `via`; returns how many ran and the failures.
fn run_all(fixture: &str, via: Via) -> (usize, Vec<String>) {
    let file = cases_file_in(fixture);
    let mut failures = Vec::new();
    let mut ran = 0;
    for case in file["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let token = case["token"].as_str().unwrap();
        if via == Via::Argument && token.len() > MAX_ARG_LEN {
            continue;
        }
        ran += 1;
        let out = verify_case(fixture, case, via);
        if let Err(why) = check(case, &out) {
            failures.push(format!("{fixture} {name} ({via:?}): {why}"));
        }
        if token.len() > 16 && all_output(&out).contains(token) {
            failures.push(format!(
                "{fixture} {name} ({via:?}): the output shows the token"
            ));
        }
    }
    (ran, failures)
}

fn check(case: &Value, out: &std::process::Output) -> Result<(), String> {
    let expect = &case["expect"];
    let got = stdout_json(out);
    let code = out.status.code();
    if expect["ok"] == true {
        if code != Some(0) {
            return Err(format!("exit {code:?}: {got}"));
        }
        let pid = case["project_id"].as_str().unwrap();
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
        let iss = got["claims"]["iss"].as_str().unwrap_or_default();
        if !iss.starts_with(got["issued_by"].as_str().unwrap_or("none")) {
            return Err(format!("issued_by is not the issuer's origin: {got}"));
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
    let (ran, failures) = run_all("interop", Via::Argument);
    assert!(ran >= 40, "only {ran} cases ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_interop_case_on_standard_input() {
    let (ran, failures) = run_all("interop", Via::Stdin);
    assert_eq!(ran, 42);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_interop_brand_case_as_an_argument_and_on_standard_input() {
    for via in [Via::Argument, Via::Stdin] {
        let (ran, failures) = run_all("interop-brand", via);
        assert_eq!(ran, 14, "{via:?}");
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
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
