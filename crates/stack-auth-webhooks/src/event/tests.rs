//! Every event type of PROTOCOL §10.5.3 is read into its variant with the data it carries, maps
//! to the evictions of the table, and unknown types are kept.

use serde_json::json;
use stack_auth_core::Eviction;

use super::*;

const USER: &str = "3241a285-8329-4d69-8f3d-316e08cf140c";
const TEAM: &str = "7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d";
const OTHER_TEAM: &str = "0b6e0d8e-64a1-4f4b-9d4c-7d0b0b5a5f21";

fn event(event_type: &str, data: serde_json::Value) -> WebhookEvent {
    let body = json!({ "type": event_type, "data": data }).to_string();
    WebhookEvent::from_json(body.as_bytes()).unwrap()
}

fn user_object() -> serde_json::Value {
    json!({"id": USER, "primary_email": "ada@example.com", "primary_email_verified": true,
           "display_name": "Ada", "signed_up_at_millis": 1_767_139_200_000_i64,
           "server_metadata": {"plan": "pro"}, "is_anonymous": false, "is_restricted": false,
           "restricted_reason": null, "oauth_providers": [], "a_later_field": 1})
}

fn team_object() -> serde_json::Value {
    json!({"id": TEAM, "display_name": "T", "profile_image_url": null,
           "created_at_millis": 1_767_225_600_000_i64, "client_metadata": null,
           "client_read_only_metadata": null, "server_metadata": null})
}

fn issue_object() -> serde_json::Value {
    json!({"id": "5c0d3a4e-1f2b-4c6d-8e9f-0a1b2c3d4e5f", "short_id": "18446744073709551615",
           "type": "TypeError", "value": "x is undefined", "culprit": "app.js", "level": "error",
           "status": "unresolved", "substatus": "regressed", "times_seen": "42",
           "first_seen_at_millis": 1, "last_seen_at_millis": 2, "service_name": null,
           "environment": "production", "release": null, "url": ""})
}

#[test]
fn users_carry_the_server_user_object() {
    for (kind, updated) in [("user.created", false), ("user.updated", true)] {
        let e = event(kind, user_object());
        let user = match (&e, updated) {
            (WebhookEvent::UserCreated(u), false) | (WebhookEvent::UserUpdated(u), true) => u,
            other => panic!("{other:?}"),
        };
        assert_eq!(user.id, USER);
        assert_eq!(user.primary_email.as_deref(), Some("ada@example.com"));
        assert_eq!(
            user.server_metadata.as_ref().map(|m| m.as_str()),
            Some(r#"{"plan":"pro"}"#)
        );
        assert!(user.extra.contains_key("a_later_field"));
        assert_eq!(e.event_type(), kind);
    }
    let deleted = event(
        "user.deleted",
        json!({"id": USER, "teams": [{"id": TEAM}, {"id": OTHER_TEAM}]}),
    );
    let WebhookEvent::UserDeleted(d) = &deleted else {
        panic!("{deleted:?}")
    };
    assert_eq!(d.id, USER);
    assert_eq!(
        d.teams.iter().map(|t| t.id.as_str()).collect::<Vec<_>>(),
        [TEAM, OTHER_TEAM]
    );
}

#[test]
fn teams_memberships_and_permissions() {
    let created = event("team.created", team_object());
    assert!(
        matches!(&created, WebhookEvent::TeamCreated(t) if t.id == TEAM && t.display_name == "T")
    );
    assert!(
        matches!(event("team.updated", team_object()), WebhookEvent::TeamUpdated(t) if t.id == TEAM)
    );
    assert!(
        matches!(event("team.deleted", json!({"id": TEAM})), WebhookEvent::TeamDeleted(t) if t.id == TEAM)
    );
    let membership = json!({"team_id": TEAM, "user_id": USER});
    for kind in ["team_membership.created", "team_membership.deleted"] {
        match event(kind, membership.clone()) {
            WebhookEvent::TeamMembershipCreated(m) | WebhookEvent::TeamMembershipDeleted(m) => {
                assert_eq!((m.team_id.as_str(), m.user_id.as_str()), (TEAM, USER));
            }
            other => panic!("{other:?}"),
        }
    }
    let grant = json!({"id": "$update_team", "team_id": TEAM, "user_id": USER});
    let e = event("team_permission.deleted", grant);
    assert!(matches!(&e, WebhookEvent::TeamPermissionDeleted(p) if p.id == "$update_team"));
    let e = event(
        "project_permission.created",
        json!({"id": "billing:read", "user_id": USER}),
    );
    assert!(
        matches!(&e, WebhookEvent::ProjectPermissionCreated(p) if p.id == "billing:read" && p.user_id == USER)
    );
}

#[test]
fn issues_keep_their_counters_as_decimal_strings() {
    for kind in [
        "issue.created",
        "issue.regressed",
        "issue.resolved",
        "issue.ignored",
        "issue.merged",
    ] {
        let e = event(kind, issue_object());
        assert_eq!(e.event_type(), kind);
        let issue = match &e {
            WebhookEvent::IssueCreated(i)
            | WebhookEvent::IssueRegressed(i)
            | WebhookEvent::IssueResolved(i)
            | WebhookEvent::IssueIgnored(i)
            | WebhookEvent::IssueMerged(i) => i,
            other => panic!("{other:?}"),
        };
        assert_eq!(issue.short_id, "18446744073709551615");
        assert_eq!(issue.short_id_number(), Some(u64::MAX));
        assert_eq!(
            (issue.times_seen.as_str(), issue.times_seen_number()),
            ("42", Some(42))
        );
        assert_eq!(
            (issue.kind.as_str(), issue.status, issue.substatus),
            (
                "TypeError",
                IssueStatus::Unresolved,
                IssueSubstatus::Regressed
            )
        );
        assert_eq!(issue.environment.as_deref(), Some("production"));
        assert!(e.evictions().is_empty());
    }
    let mut later = issue_object();
    later["status"] = json!("archived");
    let WebhookEvent::IssueResolved(i) = event("issue.resolved", later) else {
        panic!()
    };
    assert_eq!(i.status, IssueStatus::Other);
}

#[test]
fn each_event_evicts_what_the_table_says() {
    let tm = |team: &str| Eviction::TeamMembership {
        team_id: team.into(),
        user_id: USER.into(),
    };
    let cases = [
        (event("user.created", user_object()), vec![]),
        (
            event("user.updated", user_object()),
            vec![Eviction::UserUpdated {
                user_id: USER.into(),
            }],
        ),
        (
            event(
                "user.deleted",
                json!({"id": USER, "teams": [{"id": TEAM}, {"id": OTHER_TEAM}]}),
            ),
            vec![
                Eviction::UserDeleted {
                    user_id: USER.into(),
                },
                tm(TEAM),
                tm(OTHER_TEAM),
            ],
        ),
        (event("team.created", team_object()), vec![]),
        (
            event("team.updated", team_object()),
            vec![Eviction::Team {
                team_id: TEAM.into(),
            }],
        ),
        (
            event("team.deleted", json!({"id": TEAM})),
            vec![Eviction::Team {
                team_id: TEAM.into(),
            }],
        ),
        (
            event(
                "team_membership.created",
                json!({"team_id": TEAM, "user_id": USER}),
            ),
            vec![tm(TEAM)],
        ),
        (
            event(
                "team_membership.deleted",
                json!({"team_id": TEAM, "user_id": USER}),
            ),
            vec![tm(TEAM)],
        ),
        (
            event(
                "team_permission.created",
                json!({"id": "team_member", "team_id": TEAM, "user_id": USER}),
            ),
            vec![Eviction::TeamPermissions {
                team_id: TEAM.into(),
                user_id: USER.into(),
            }],
        ),
        (
            event(
                "team_permission.deleted",
                json!({"id": "team_member", "team_id": TEAM, "user_id": USER}),
            ),
            vec![Eviction::TeamPermissions {
                team_id: TEAM.into(),
                user_id: USER.into(),
            }],
        ),
        (
            event(
                "project_permission.created",
                json!({"id": "read", "user_id": USER}),
            ),
            vec![Eviction::ProjectPermissions {
                user_id: USER.into(),
            }],
        ),
        (
            event(
                "project_permission.deleted",
                json!({"id": "read", "user_id": USER}),
            ),
            vec![Eviction::ProjectPermissions {
                user_id: USER.into(),
            }],
        ),
        (event("issue.created", issue_object()), vec![]),
        (event("session.ended", json!({"id": "s"})), vec![]),
    ];
    for (event, evictions) in cases {
        assert_eq!(event.evictions(), evictions, "{}", event.event_type());
    }
}

#[test]
fn unknown_types_are_kept_as_they_came() {
    let body = br#"{"type":"payment.refunded","data":{"id":"x","amount":[1,2]}}"#;
    let e = WebhookEvent::from_json(body).unwrap();
    let WebhookEvent::Unknown { event_type, data } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(event_type, "payment.refunded");
    assert_eq!(data.as_str(), r#"{"id":"x","amount":[1,2]}"#);
    assert_eq!(e.event_type(), "payment.refunded");
    let scalar = WebhookEvent::from_json(br#"{"data":null,"type":"later"}"#).unwrap();
    assert!(matches!(scalar, WebhookEvent::Unknown { ref data, .. } if data.is_null()));
}

#[test]
fn a_malformed_body_says_where_never_what() {
    let secretish = "s3cr3t-value";
    let cases: [(&[u8], BodyProblem); 6] = [
        (b"\xff{}", BodyProblem::NotUtf8),
        (b"not json", BodyProblem::Envelope { line: 1, column: 2 }),
        (
            br#"{"type":"user.deleted"}"#,
            BodyProblem::Envelope {
                line: 1,
                column: 23,
            },
        ),
        (
            br#"{"type":7,"data":{}}"#,
            BodyProblem::Envelope { line: 1, column: 9 },
        ),
        (
            br#"{"type":"user.deleted","data":{"teams":[]}}"#,
            BodyProblem::Data {
                event_type: "user.deleted",
                line: 1,
                column: 12,
            },
        ),
        (
            br#"{"type":"team_membership.created","data":{"team_id":"s3cr3t-value","user_id":5}}"#,
            BodyProblem::Data {
                event_type: "team_membership.created",
                line: 1,
                column: 37,
            },
        ),
    ];
    for (body, problem) in cases {
        let err = WebhookEvent::from_json(body).unwrap_err();
        assert_eq!(
            err,
            WebhookError::MalformedBody(problem),
            "{}",
            String::from_utf8_lossy(body)
        );
        assert!(!err.to_string().contains(secretish));
    }
}
