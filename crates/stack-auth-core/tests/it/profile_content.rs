//! Issue 14, items 2 and 6: the free-form parts of a users/me profile. A user writes their own
//! `client_metadata` with no depth or size limit, so nesting must not break reading the
//! profile; and `Debug` shows whether `server_metadata` and the administrator's private notes
//! are set, never what they say.

use stack_auth_core::{ServerUser, VerifiedUser};

/// A profile whose free-form fields each hold a distinctive canary.
pub(crate) const WITH_SECRETS: &str = r#"{
  "id": "u1", "is_anonymous": false, "is_restricted": true,
  "restricted_reason": {"type": "restricted_by_administrator"},
  "restricted_by_admin": true, "restricted_by_admin_reason": "under review",
  "restricted_by_admin_private_details": "canary-private-details",
  "client_metadata": {"note": "canary-client"},
  "client_read_only_metadata": {"plan": "canary-read-only"},
  "server_metadata": {"stripe_secret": "sk_live_canary_server"},
  "selected_team": {"id": "t1", "display_name": "Team", "server_metadata": {"k": "canary-team"}},
  "canary_future_field": "canary-unknown-value"
}"#;

pub(crate) fn nested(depth: usize) -> String {
    format!("{}{}", "[".repeat(depth), "]".repeat(depth))
}

#[test]
fn debug_shows_presence_not_content_of_server_metadata_and_private_details() {
    let profile: ServerUser = serde_json::from_str(WITH_SECRETS).unwrap();
    let user = VerifiedUser::from_profile("p1", profile.clone());
    for shown in [
        format!("{user:?}"),
        format!("{user:#?}"),
        format!("{profile:?}"),
        format!("{profile:#?}"),
    ] {
        for canary in [
            "canary-private",
            "sk_live",
            "canary-client",
            "canary-read-only",
            "canary-team",
            "canary-unknown",
        ] {
            assert!(!shown.contains(canary), "{canary} in {shown}");
        }
        assert!(shown.contains("u1") && shown.contains("t1"), "{shown}");
    }
    let shown = format!("{profile:?}");
    assert!(shown.contains("server_metadata: set"), "{shown}");
    assert!(
        shown.contains("restricted_by_admin_private_details: set"),
        "{shown}"
    );
    assert!(
        shown.contains("canary_future_field"),
        "unknown fields are named: {shown}"
    );
    let bare = format!("{:?}", ServerUser::new("u2"));
    assert!(bare.contains("server_metadata: unset"), "{bare}");
}

#[test]
fn a_profile_whose_metadata_nests_past_the_recursion_limit_is_read() {
    for field in [
        "client_metadata",
        "client_read_only_metadata",
        "server_metadata",
    ] {
        let deep = nested(50_000);
        let body = format!(
            r#"{{"id":"u1","is_anonymous":false,"is_restricted":false,"{field}":{deep},
               "selected_team":{{"id":"t1","display_name":"T","client_metadata":{deep}}},
               "a_future_field":{deep}}}"#
        );
        let profile: ServerUser = serde_json::from_str(&body).unwrap();
        assert_eq!(profile.id, "u1", "{field}");
        assert!(profile.extra.contains_key("a_future_field"), "{field}");
    }
}
