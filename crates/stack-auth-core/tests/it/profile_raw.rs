//! The raw free-form fields of a profile ([`RawJson`]): parsed on demand, with typed errors.

use serde_json::Value;
use stack_auth_core::{RawJsonError, ServerUser, VerifiedUser, MAX_JSON_DEPTH};

use crate::profile_content::{nested, WITH_SECRETS};

#[test]
fn deep_metadata_is_a_typed_error_for_the_caller_who_parses_it() {
    let body = format!(
        r#"{{"id":"u1","client_metadata":{},"server_metadata":{{"plan":"pro"}}}}"#,
        nested(MAX_JSON_DEPTH + 10)
    );
    let profile: ServerUser = serde_json::from_str(&body).unwrap();
    assert_eq!(
        profile.client_metadata_as::<Value>(),
        Err(RawJsonError::TooDeep {
            limit: MAX_JSON_DEPTH
        })
    );
    #[derive(serde::Deserialize)]
    struct Plan {
        plan: String,
    }
    let plan: Plan = profile.server_metadata_as().unwrap().unwrap();
    assert_eq!(plan.plan, "pro");
    assert!(matches!(
        profile.server_metadata_as::<Vec<u8>>(),
        Err(RawJsonError::Mismatch { .. })
    ));
    assert_eq!(profile.client_read_only_metadata_as::<Value>(), Ok(None));
    let null: ServerUser = serde_json::from_str(r#"{"id":"u1","client_metadata":null}"#).unwrap();
    assert_eq!(null.client_metadata, None);
}

#[test]
fn a_field_given_twice_is_refused() {
    let err = serde_json::from_str::<ServerUser>(r#"{"id":"a","id":"b"}"#).unwrap_err();
    assert!(err.to_string().contains("duplicate field `id`"), "{err}");
}

#[test]
fn profiles_with_raw_fields_round_trip() {
    let profile: ServerUser = serde_json::from_str(WITH_SECRETS).unwrap();
    let text = serde_json::to_string(&profile).unwrap();
    let back: ServerUser = serde_json::from_str(&text).unwrap();
    assert_eq!(back, profile);
    let via_value: ServerUser =
        serde_json::from_value(serde_json::to_value(&profile).unwrap()).unwrap();
    assert_eq!(via_value, profile);
    let user = VerifiedUser::from_profile("p1", profile);
    let shown = serde_json::to_value(&user).unwrap();
    assert_eq!(
        shown["profile"],
        serde_json::to_value(user.profile()).unwrap()
    );
}
