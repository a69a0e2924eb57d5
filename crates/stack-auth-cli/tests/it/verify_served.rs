//! `stack-auth verify` with every strategy against `stack-auth serve`, with tokens from
//! `stack-auth mint`: accepted users and their profiles, user types, expiry, unknown users,
//! a wrong secret server key, and a stand-in that is gone.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use stack_auth_testkit::uuid_for_name;

use crate::support::*;

const PROJECT: &str = "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f";
const OTHER_PROJECT: &str = "other-project";
const KEY: &str = "ssk_cli_test_key_0123456789";
const ADA: &str = "11111111-2222-4333-8444-555555555555";
const RESTRICTED: &str = "restricted-user";
const ANON: &str = "anonymous-user";

fn serve() -> Served {
    Served::start(&[
        "--project",
        PROJECT,
        "--project",
        OTHER_PROJECT,
        "--secret-server-key",
        KEY,
        "--user",
        ADA,
        "--user",
        &format!("{RESTRICTED}:restricted"),
        "--user",
        &format!("{ANON}:anonymous"),
    ])
}

/// `verify --output json` of `token` against `served` with `strategy` and `extra` flags.
fn verify(served: &Served, strategy: &str, token: &str, extra: &[&str]) -> Output {
    stack_auth()
        .args(["verify", token, "--output", "json", "--strategy", strategy])
        .args(["--project-id", PROJECT, "--base-url", &served.base_url])
        .args(["--timeout", "2s"])
        .env("STACK_SECRET_SERVER_KEY", KEY)
        .args(extra)
        .output()
        .unwrap()
}

fn refused_as(out: &Output, reason: &str) {
    let got = stdout_json(out);
    assert_eq!(out.status.code(), Some(1), "{got}");
    assert_eq!(got["ok"], false, "{got}");
    assert_eq!(got["reason"], reason, "{got}");
}

#[test]
fn every_strategy_accepts_a_seeded_user() {
    let served = serve();
    assert_eq!(served.keys[PROJECT], "(as given)");
    let token = served.mint(PROJECT, ADA, &[]);
    for strategy in ["jwt", "rest", "composite"] {
        let out = verify(&served, strategy, &token, &[]);
        let got = stdout_json(&out);
        assert_eq!(out.status.code(), Some(0), "{strategy}: {got}");
        assert_eq!(got["ok"], true);
        assert_eq!(got["user_id"], ADA);
        assert_eq!(got["project_id"], PROJECT);
        assert_eq!(got["user_type"], "normal");
        assert!(got["restricted_reason"].is_null());
        assert_eq!(got["email"], format!("{ADA}@example.com"), "{strategy}");
        // Only the strategies that ask Stack Auth have the profile; only those that check the
        // token locally have its claims.
        assert_eq!(
            got["profile"].is_null(),
            strategy == "jwt",
            "{strategy}: {got}"
        );
        if strategy != "rest" {
            assert_eq!(got["claims"]["sub"], ADA, "{strategy}");
        }
        if strategy != "jwt" {
            assert_eq!(got["profile"]["id"], ADA, "{strategy}");
            assert_eq!(
                got["profile"]["primary_email"],
                format!("{ADA}@example.com")
            );
        }
        assert!(
            !all_output(&out).contains(KEY),
            "{strategy} shows the server key"
        );
    }
    let out = stack_auth()
        .args([
            "verify",
            &token,
            "--strategy",
            "rest",
            "--project-id",
            PROJECT,
        ])
        .args(["--base-url", &served.base_url, "--secret-server-key", KEY])
        .assert()
        .code(0)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    let first = format!("✔ accepted: user {ADA} (normal) {ADA}@example.com, expires in ");
    assert!(text.starts_with(&first), "{text}");
    assert!(
        text.contains("profile   from Stack Auth, display name \"Test User\""),
        "{text}"
    );
}

#[test]
fn restricted_and_anonymous_users_need_their_flag() {
    let served = serve();
    let restricted = served.mint(PROJECT, RESTRICTED, &["--type", "restricted"]);
    let anon = served.mint(PROJECT, ANON, &["--type", "anonymous"]);
    for strategy in ["jwt", "rest", "composite"] {
        refused_as(
            &verify(&served, strategy, &restricted, &[]),
            "user_type_not_allowed",
        );
        let out = verify(&served, strategy, &restricted, &["--allow-restricted"]);
        let got = stdout_json(&out);
        assert_eq!(out.status.code(), Some(0), "{strategy}: {got}");
        assert_eq!(got["user_type"], "restricted");
        assert_eq!(got["restricted_reason"], "email_not_verified");
        // a user named on the command line: its UUID, the name as display name
        assert_eq!(got["user_id"], uuid_for_name(RESTRICTED), "{strategy}");
        if strategy != "jwt" {
            assert_eq!(got["profile"]["display_name"], RESTRICTED, "{strategy}");
        }

        refused_as(
            &verify(&served, strategy, &anon, &["--allow-restricted"]),
            "user_type_not_allowed",
        );
        let out = verify(&served, strategy, &anon, &["--allow-anonymous"]);
        let got = stdout_json(&out);
        assert_eq!(out.status.code(), Some(0), "{strategy}: {got}");
        assert_eq!(got["user_type"], "anonymous");
        assert!(got["email"].is_null());
    }
}

#[test]
fn expired_tokens_are_refused_as_expired() {
    let served = serve();
    let expired = served.mint(PROJECT, ADA, &["--exp", "-1h"]);
    for strategy in ["jwt", "rest", "composite"] {
        let out = verify(&served, strategy, &expired, &[]);
        refused_as(&out, "expired");
        let message = stdout_json(&out)["message"].as_str().unwrap().to_owned();
        assert!(
            message.starts_with("token expired 1 hour ago"),
            "{strategy}: {message}"
        );
    }
    let out = stack_auth()
        .args([
            "verify",
            &expired,
            "--strategy",
            "rest",
            "--project-id",
            PROJECT,
        ])
        .args(["--base-url", &served.base_url, "--secret-server-key", KEY])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("✘ refused: expired (token expired 1 hour ago"),
        "{text}"
    );
}

#[test]
fn rest_only_refusals_have_their_own_labels() {
    let served = serve();
    // A valid token of a user the stand-in does not know (deleted, or never seeded).
    let ghost = served.mint(PROJECT, "ghost", &[]);
    refused_as(&verify(&served, "rest", &ghost, &[]), "user_not_found");
    refused_as(&verify(&served, "composite", &ghost, &[]), "user_not_found");
    assert_eq!(verify(&served, "jwt", &ghost, &[]).status.code(), Some(0));

    // A valid token of another project of the same deployment.
    let other = served.mint(OTHER_PROJECT, ADA, &[]);
    refused_as(&verify(&served, "rest", &other, &[]), "wrong_project");
    refused_as(&verify(&served, "jwt", &other, &[]), "unknown_key");
}

#[test]
fn a_wrong_or_missing_secret_server_key_is_a_configuration_error() {
    let served = serve();
    let token = served.mint(PROJECT, ADA, &[]);
    let wrong = "ssk_wrong_key_do_not_print_me";
    for strategy in ["rest", "composite"] {
        let out = verify(&served, strategy, &token, &["--secret-server-key", wrong]);
        let got = stdout_json(&out);
        assert_eq!(out.status.code(), Some(2), "{strategy}: {got}");
        assert_eq!(got["error"], "misconfigured");
        assert_eq!(got["kind"], "invalid_secret_server_key");
        assert!(
            !all_output(&out).contains(wrong),
            "{strategy} shows the key"
        );

        let out = stack_auth()
            .args([
                "verify",
                &token,
                "--strategy",
                strategy,
                "--project-id",
                PROJECT,
            ])
            .args(["--base-url", &served.base_url, "--secret-server-key", wrong])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let text = all_output(&out);
        assert!(text.contains("invalid secret server key"), "{text}");
        assert!(!text.contains(wrong), "{strategy} shows the key: {text}");

        stack_auth()
            .args([
                "verify",
                &token,
                "--strategy",
                strategy,
                "--project-id",
                PROJECT,
            ])
            .args(["--base-url", &served.base_url])
            .assert()
            .code(2)
            .stderr(predicates::str::contains("needs --secret-server-key"));
    }
}

#[test]
fn a_stopped_stand_in_is_unavailable() {
    let mut served = serve();
    let token = served.mint(PROJECT, ADA, &[]);
    served.kill();
    for strategy in ["jwt", "rest", "composite"] {
        let out = verify(&served, strategy, &token, &[]);
        let got = stdout_json(&out);
        assert_eq!(out.status.code(), Some(3), "{strategy}: {got}");
        assert_eq!(got["ok"], false);
        assert_eq!(got["error"], "unavailable");
        assert_eq!(got["kind"], "connect", "{strategy}: {got}");
    }
}
