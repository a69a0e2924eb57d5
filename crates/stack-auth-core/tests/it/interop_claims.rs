//! Claim parsing of every interop fixture token's payload (decode only, no signature check), in
//! `fixtures/interop` and `fixtures/interop-brand`, and the issuer each case's configuration
//! accepts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};
use serde_json::Value;
use stack_auth_core::{
    AccessTokenClaims, RefusalReason, RestrictedReason, StackAuthConfig, UserType, UserTypes,
    VerifiedUser,
};

/// The cases of one fixture directory, each with its `base_url` (the case's, else the file's).
fn cases_of(dir: &str) -> Vec<Value> {
    let path = format!(
        "{}/../../fixtures/{dir}/cases.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let doc: Value = serde_json::from_str(&text).unwrap();
    let mut cases = doc["cases"].as_array().unwrap().clone();
    for c in &mut cases {
        if c.get("base_url").is_none() {
            c["base_url"] = doc["base_url"].clone();
        }
    }
    cases
}

/// Every case of `fixtures/interop` and `fixtures/interop-brand`.
fn all_cases() -> Vec<Value> {
    let mut cases = cases_of("interop");
    cases.extend(cases_of("interop-brand"));
    cases
}

fn cases() -> Vec<Value> {
    cases_of("interop")
}

/// The payload segment of a compact token, decoded, if it has one.
fn payload(token: &str) -> Option<Vec<u8>> {
    let mut parts = token.split('.');
    let _header = parts.next()?;
    URL_SAFE_NO_PAD.decode(parts.next()?).ok()
}

fn case(name: &str) -> Value {
    cases().into_iter().find(|c| c["name"] == name).unwrap()
}

fn claims_of(name: &str) -> Result<AccessTokenClaims, RefusalReason> {
    let c = case(name);
    let bytes = payload(c["token"].as_str().unwrap()).unwrap();
    AccessTokenClaims::from_json_slice(&bytes).map_err(|r| r.reason())
}

#[test]
fn accepted_cases_parse_to_the_expected_user() {
    let mut checked = 0;
    for c in all_cases()
        .into_iter()
        .filter(|c| c["expect"]["ok"] == true)
    {
        let bytes = payload(c["token"].as_str().unwrap()).unwrap();
        let claims = AccessTokenClaims::from_json_slice(&bytes)
            .unwrap_or_else(|e| panic!("{}: {e}", c["name"]));
        claims
            .check_consistency()
            .unwrap_or_else(|e| panic!("{}: {e}", c["name"]));
        let expect = &c["expect"];
        let user = VerifiedUser::from_claims(claims);
        assert_eq!(user.user_id(), expect["user_id"], "{}", c["name"]);
        assert_eq!(
            user.user_type().as_str(),
            expect["user_type"],
            "{}",
            c["name"]
        );
        assert_eq!(
            user.restricted_reason().map(|r| r.as_str()),
            expect["restricted_reason"].as_str(),
            "{}",
            c["name"]
        );
        assert_eq!(user.email(), expect["email"].as_str(), "{}", c["name"]);
        assert_eq!(user.project_id(), c["project_id"], "{}", c["name"]);
        checked += 1;
    }
    assert!(checked >= 15, "only {checked} accepted cases");
}

/// The issuer check of every case whose claims parse and hold together: accepted cases carry
/// an accepted issuer of their audience's user type, `wrong_issuer` cases do not, with the
/// configuration each case names (base URL, project).
#[test]
fn each_case_configuration_accepts_exactly_the_expected_issuers() {
    let mut checked = (0, 0);
    for c in all_cases() {
        let Some(claims) = payload(c["token"].as_str().unwrap())
            .and_then(|b| AccessTokenClaims::from_json_slice(&b).ok())
        else {
            continue;
        };
        let config = StackAuthConfig::builder(c["project_id"].as_str().unwrap())
            .base_url(c["base_url"].as_str().unwrap())
            .accepted_user_types(UserTypes::ALL)
            .build()
            .unwrap();
        let Some(aud_type) = config.user_type_for_audience(&claims.aud) else {
            continue;
        };
        let accepted = config.accepts_issuer(aud_type, &claims.iss);
        let expect = &c["expect"];
        if expect["ok"] == true {
            assert!(accepted, "{}: {} refused", c["name"], claims.iss);
            checked.0 += 1;
        } else if expect["reason"] == "wrong_issuer" {
            assert!(!accepted, "{}: {} accepted", c["name"], claims.iss);
            checked.1 += 1;
        }
    }
    assert!(checked.0 >= 15 && checked.1 >= 8, "{checked:?}");
}

#[test]
fn every_fixture_payload_parses_or_fails_with_a_typed_reason() {
    // Never a panic, whatever the payload; where the payload is decodable JSON the outcome is
    // a claims value or a refusal with one of the claim-level reasons.
    for c in all_cases() {
        let Some(bytes) = payload(c["token"].as_str().unwrap()) else {
            continue;
        };
        match AccessTokenClaims::from_json_slice(&bytes) {
            Ok(claims) => {
                let _ = claims.check_consistency();
            }
            Err(r) => assert!(
                matches!(
                    r.reason(),
                    RefusalReason::Malformed
                        | RefusalReason::WrongAudience
                        | RefusalReason::WrongIssuer
                ),
                "{}: {r}",
                c["name"]
            ),
        }
    }
}

#[test]
fn legacy_camel_case_names_are_accepted() {
    let claims = claims_of("legacy-camelcase-claims").unwrap();
    assert_eq!(claims.branch_id, "main");
    assert_eq!(
        claims.refresh_token_id.as_deref(),
        Some("c7874645-d76c-40f9-aab6-7269b0696499")
    );
    // no is_restricted / restricted_reason in the token: the server's defaults apply
    assert!(!claims.is_restricted);
    assert_eq!(claims.restricted_reason, None);
    assert!(claims.check_consistency().is_ok());

    let legacy = serde_json::json!({
        "sub": "u", "project_id": "p", "branchId": "main", "refreshTokenId": "r",
        "role": "anon", "displayName": "Old Name", "primaryEmail": "old@example.com",
        "primaryEmailVerified": true, "selectedTeamId": "t", "iss": "i", "aud": "p:anon", "exp": 1
    });
    let c = AccessTokenClaims::from_json_value(legacy).unwrap();
    assert_eq!(c.name.as_deref(), Some("Old Name"));
    assert_eq!(c.email.as_deref(), Some("old@example.com"));
    assert!(c.email_verified);
    assert_eq!(c.selected_team_id.as_deref(), Some("t"));
    assert!(
        c.is_anonymous && c.is_restricted,
        "role anon means anonymous, and anonymous restricted"
    );
    assert_eq!(c.restricted_reason, Some(RestrictedReason::Anonymous));
    assert_eq!(c.user_type(), UserType::Anonymous);
    assert!(c.check_consistency().is_ok());
}

#[test]
fn unknown_claims_are_preserved_and_round_trip() {
    let claims = claims_of("unknown-extra-claim").unwrap();
    assert_eq!(
        claims.extra["some_future_claim"],
        serde_json::json!({"nested": [1, 2, 3]})
    );
    let json = serde_json::to_value(&claims).unwrap();
    assert_eq!(json["some_future_claim"]["nested"][2], 3);
    let back: AccessTokenClaims = serde_json::from_value(json).unwrap();
    assert_eq!(back, claims);
}

#[test]
fn serialization_writes_current_names() {
    let claims = claims_of("legacy-camelcase-claims").unwrap();
    let json = serde_json::to_value(&claims).unwrap();
    assert_eq!(json["branch_id"], "main");
    assert!(json.get("branchId").is_none());
    assert_eq!(json["restricted_reason"], Value::Null);
    let restricted = claims_of("restricted-user-allowed").unwrap();
    let json = serde_json::to_value(&restricted).unwrap();
    assert_eq!(
        json["restricted_reason"],
        serde_json::json!({"type": "email_not_verified"})
    );
    assert_eq!(
        serde_json::from_value::<AccessTokenClaims>(json).unwrap(),
        restricted
    );
}

#[test]
fn claim_level_refusals_are_precise() {
    assert_eq!(
        claims_of("missing-sub").unwrap_err(),
        RefusalReason::Malformed
    );
    assert_eq!(
        claims_of("missing-exp").unwrap_err(),
        RefusalReason::Malformed
    );
    assert_eq!(
        claims_of("exp-as-string").unwrap_err(),
        RefusalReason::Malformed
    );
    assert_eq!(
        claims_of("audience-as-array").unwrap_err(),
        RefusalReason::WrongAudience
    );
    let inconsistent = [
        "branch-not-main",
        "anonymous-claim-on-normal-audience",
        "restricted-without-reason",
    ];
    for name in inconsistent {
        let claims = claims_of(name).unwrap();
        let err = claims.check_consistency().unwrap_err();
        assert_eq!(err.reason(), RefusalReason::InconsistentClaims, "{name}");
    }
}

#[test]
fn user_type_derivation_and_audience_suffix() {
    let normal = claims_of("normal-user").unwrap();
    assert_eq!(
        (normal.user_type(), normal.audience_user_type()),
        (UserType::Normal, UserType::Normal)
    );
    let restricted = claims_of("restricted-by-admin-allowed").unwrap();
    assert_eq!(restricted.user_type(), UserType::Restricted);
    assert_eq!(
        restricted.restricted_reason,
        Some(RestrictedReason::RestrictedByAdministrator)
    );
    let anon = claims_of("anonymous-user-allowed").unwrap();
    assert_eq!(
        (anon.user_type(), anon.audience_user_type()),
        (UserType::Anonymous, UserType::Anonymous)
    );
    assert_eq!(anon.restricted_reason, Some(RestrictedReason::Anonymous));
}

#[test]
fn non_object_and_non_json_payloads_are_malformed() {
    for bad in [&b"[]"[..], b"42", b"null", b"{not json", b""] {
        let err = AccessTokenClaims::from_json_slice(bad).unwrap_err();
        assert_eq!(err.reason(), RefusalReason::Malformed);
    }
    let no_iss = serde_json::json!({"sub": "u", "aud": "p", "exp": 1});
    assert_eq!(
        AccessTokenClaims::from_json_value(no_iss)
            .unwrap_err()
            .reason(),
        RefusalReason::WrongIssuer
    );
}

#[test]
fn refusal_details_never_repeat_claim_values() {
    let hostile = serde_json::json!({
        "sub": "u", "project_id": "p", "branch_id": "main", "iss": "i", "aud": "p",
        "exp": "ATTACKER-CONTROLLED \u{1b}[31m text"
    });
    let err = AccessTokenClaims::from_json_value(hostile).unwrap_err();
    assert_eq!(err.reason(), RefusalReason::Malformed);
    assert_eq!(err.detail(), Some("a claim has the wrong type"));
    let missing = serde_json::json!({"project_id": "p", "branch_id": "main", "iss": "i", "aud": "p", "exp": 1});
    let err = AccessTokenClaims::from_json_value(missing).unwrap_err();
    assert_eq!(err.detail(), Some("claim `sub` is missing"));
}
