//! `stack-auth inspect`: decodes without verifying, says so, and shows what a broken token has.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use crate::support::*;

fn inspect(token: &str, extra: &[&str]) -> Output {
    stack_auth()
        .arg("inspect")
        .args(extra)
        .write_stdin(format!("{token}\n"))
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

fn token_of(name: &str) -> String {
    case(name)["token"].as_str().unwrap().to_owned()
}

#[test]
fn a_valid_token_is_shown_in_full_and_marked_unverified() {
    let out = inspect(&token_of("normal-user"), &[]);
    assert_eq!(out.status.code(), Some(0));
    let t = text(&out);
    assert!(
        t.starts_with("UNVERIFIED: decoded without checking the signature"),
        "{t}"
    );
    assert!(t.contains("\"kid\": \"n0EcVSMdeW8t\""), "{t}");
    assert!(t.contains("\"email\": \"ada@example.com\""), "{t}");
    assert!(
        t.contains("user       cd582a99-d579-43d9-ab8e-58b46f20adbb (normal) ada@example.com"),
        "{t}"
    );
    assert!(
        t.contains("project    3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e"),
        "{t}"
    );
    assert!(t.contains("expires    2100-01-01T00:00:00Z (in "), "{t}");
    assert!(t.contains("issued     "), "{t}");
    assert!(t.contains("signature  64 bytes"), "{t}");
}

#[test]
fn a_forged_token_decodes_just_as_well_because_nothing_is_verified() {
    let out = inspect(&token_of("attacker-key-real-kid"), &["--output", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let j = stdout_json(&out);
    assert_eq!(j["verified"], false);
    assert_eq!(j["header"]["kid"], "n0EcVSMdeW8t");
    assert_eq!(j["signature_bytes"], 64);
}

#[test]
fn expiry_and_user_type_are_read_from_the_claims() {
    let t = text(&inspect(&token_of("expired"), &[]));
    assert!(t.contains("expires    EXPIRED 2021-"), "{t}");
    assert!(t.contains("years ago)"), "{t}");

    let out = inspect(&token_of("anonymous-user-allowed"), &["--output", "json"]);
    let j = stdout_json(&out);
    assert_eq!(j["user_type"], "anonymous");
    assert_eq!(j["expired"], false);
    assert_eq!(j["expires_at"], 4_102_444_800_i64);

    let t = text(&inspect(&token_of("restricted-without-reason"), &[]));
    assert!(t.contains("claims     inconsistent: "), "{t}");
}

#[test]
fn each_broken_part_says_why_and_the_exit_code_is_1() {
    let out = inspect(&token_of("bad-base64-header"), &[]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.starts_with("UNVERIFIED"), "{t}");
    assert!(
        t.contains("header     does not decode: not base64url"),
        "{t}"
    );
    assert!(t.contains("\"sub\""), "the payload still shows: {t}");

    let out = inspect(&token_of("two-segments"), &[]);
    assert_eq!(out.status.code(), Some(1));
    let t = text(&out);
    assert!(t.contains("2 segments (a JWS compact token has 3)"), "{t}");
    assert!(t.contains("signature  does not decode: missing"), "{t}");

    let out = inspect(&token_of("payload-not-json"), &["--output", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let j = stdout_json(&out);
    assert!(j["payload"].is_null());
    assert!(
        j["payload_error"].as_str().unwrap().starts_with("not JSON"),
        "{j}"
    );
    assert_eq!(j["header"]["alg"], "ES256");

    let out = inspect("", &["--output", "json"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout_json(&out)["header_error"], "empty");
}

#[test]
fn a_huge_token_on_standard_input_is_inspected() {
    let token = token_of("huge-token");
    let out = inspect(&token, &["--output", "json"]);
    let j = stdout_json(&out);
    assert_eq!(j["length"], token.len());
    assert_eq!(j["segments"], 3);
}

#[test]
fn the_token_argument_is_taken_as_it_is() {
    let token = token_of("normal-user");
    let out = stack_auth()
        .args(["inspect", &format!(" {token} "), "--output", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout_json(&out)["header_error"]
        .as_str()
        .unwrap()
        .starts_with("not base64url"));
}

#[test]
fn the_issuing_host_is_named() {
    let brand = cases_file_in("interop-brand");
    let hexclave = brand["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "hexclave-issuer-stack-config")
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = inspect(&hexclave, &[]);
    assert!(
        text(&out).contains("issued by  https://api.hexclave.com (hosted service, Hexclave host)"),
        "{}",
        text(&out)
    );
    let j = stdout_json(&inspect(&hexclave, &["--output", "json"]));
    assert_eq!(j["issued_by"], "https://api.hexclave.com");
    let j = stdout_json(&inspect(
        &token_of("issuer-of-other-deployment"),
        &["--output", "json"],
    ));
    assert_eq!(j["issued_by"], "https://stack.evil.example");
    let j = stdout_json(&inspect(
        &token_of("payload-not-json"),
        &["--output", "json"],
    ));
    assert!(j["issued_by"].is_null());
}
