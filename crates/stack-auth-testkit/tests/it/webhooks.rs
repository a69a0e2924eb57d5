//! Webhooks (PROTOCOL §10.5): the signer reproduces both check vectors of §10.5.2; a receiver
//! on 127.0.0.1 gets, for each change, exactly `{"type","data"}` with the Svix headers; the
//! silent cases of §10.5.3 send nothing extra; retries keep the message id.
#![allow(clippy::unwrap_used)]

use std::time::Duration;

use serde_json::{json, Value};
use stack_auth_testkit::{
    sign_webhook, DeliveryState, LocalStackAuth, PermissionDefinition, ProjectSpec, TeamSpec,
    UserSpec, WebhookHeaders, WebhookSecret,
};

use crate::support::receiver::{Received, Receiver};
use crate::support::{pairs, send, server};

#[test]
fn both_check_vectors_of_the_protocol() {
    let svix = WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
    assert_eq!(
        sign_webhook(
            &svix,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#
        ),
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    );
    let stack = WebhookSecret::new("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX").unwrap();
    let body = r#"{"type":"team_permission.created","data":{"id":"$update_team","team_id":"7b1c5e0a-2d3f-4a5b-8c9d-0e1f2a3b4c5d","user_id":"3241a285-8329-4d69-8f3d-316e08cf140c"}}"#;
    assert_eq!(
        sign_webhook(
            &stack,
            "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
            1_767_225_600,
            body
        ),
        "v1,+tNhGqpgNVSpFmE9Z7H0YnglqRFtMFTzTXUNxKJ1mWg="
    );
    assert!(WebhookSecret::new("whsec_not base64!").is_err());
    assert!(!format!("{stack:?}").contains("AAEC"));
}

/// The event type and data of a received request, after checking its envelope and headers
/// against `secret`.
fn event(r: &Received, secret: &WebhookSecret) -> (String, Value) {
    assert_eq!(
        (r.method.as_str(), r.path.as_str()),
        ("POST", "/hooks/stack")
    );
    assert_eq!(r.header("content-type"), Some("application/json"));
    let id = r.header("svix-id").unwrap();
    assert!(id.starts_with("msg_") && id.len() == 31, "{id}");
    let ts = r.header("svix-timestamp").unwrap();
    let expected = sign_webhook(secret, id, ts.parse().unwrap(), &r.body);
    assert_eq!(r.header("svix-signature"), Some(expected.as_str()));
    let body: Value = serde_json::from_str(&r.body).unwrap();
    assert_eq!(
        body.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["data", "type"],
        "exactly these two members: {}",
        r.body
    );
    assert!(
        r.body.starts_with("{\"type\":"),
        "type first, compact: {}",
        r.body
    );
    (
        body["type"].as_str().unwrap().to_owned(),
        body["data"].clone(),
    )
}

#[tokio::test]
async fn every_change_is_delivered_signed_with_the_exact_envelope() {
    let receiver = Receiver::start().await;
    let secret = WebhookSecret::new("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX").unwrap();
    let clock = stack_auth_testkit::TestClock::system();
    clock.freeze_at(1_767_225_600);
    let stack = LocalStackAuth::builder()
        .clock(clock)
        .project(
            ProjectSpec::random()
                .permission(PermissionDefinition::project("billing:read"))
                .webhook_endpoint(receiver.url.clone())
                .webhook_secret(secret.clone()),
        )
        .start()
        .await
        .unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let bob = stack.create_user(UserSpec::normal()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id))
        .unwrap();
    stack.add_team_member(&team.id, &bob.id).unwrap();
    let h = server(&stack);
    let grant = format!(
        "/api/v1/team-permissions/{}/{}/$update_team",
        team.id, bob.id
    );
    assert_eq!(
        send(&stack, "POST", &grant, &pairs(&h, &[]), Some("{}"))
            .await
            .status,
        201
    );
    assert_eq!(
        send(&stack, "DELETE", &grant, &pairs(&h, &[]), None)
            .await
            .status,
        200
    );
    stack
        .grant_project_permission(&ada.id, "billing:read")
        .unwrap();
    stack
        .revoke_project_permission(&ada.id, "billing:read")
        .unwrap();
    stack
        .update_team(&team.id, |t| t.display_name = "Renamed".into())
        .unwrap();
    stack
        .update_user(&ada.id, |u| u.display_name = Some("Ada".into()))
        .unwrap();
    stack.remove_team_member(&team.id, &bob.id).unwrap();
    stack.delete_user(&ada.id).unwrap();
    stack.delete_team(&team.id).unwrap();
    stack.wait_for_webhooks().await;

    let got: Vec<(String, Value)> = receiver
        .received()
        .iter()
        .map(|r| event(r, &secret))
        .collect();
    let types: Vec<&str> = got.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(
        types,
        [
            "user.created",
            "user.created",
            "team.created", // the creator joins silently
            "team_membership.created",
            "team_permission.created", // team_member, the default of a member
            "team_permission.created",
            "team_permission.deleted",
            "project_permission.created",
            "project_permission.deleted",
            "team.updated",
            "user.updated",
            "team_membership.deleted", // and no team_permission.deleted
            "team_membership.deleted", // ada's membership, on deleting her
            "user.deleted",
            "team.deleted",
        ]
    );
    assert_eq!(got[0].1["id"], ada.id.as_str());
    assert_eq!(
        got[0].1["primary_email"],
        ada.primary_email.clone().unwrap().as_str()
    );
    assert_eq!(
        got[2].1,
        json!({"id": team.id, "display_name": "T", "profile_image_url": null, "created_at_millis": 1_767_225_600_000_i64,
                                 "client_metadata": null, "client_read_only_metadata": null, "server_metadata": null})
    );
    assert_eq!(got[3].1, json!({"team_id": team.id, "user_id": bob.id}));
    assert_eq!(
        got[4].1,
        json!({"id": "team_member", "team_id": team.id, "user_id": bob.id})
    );
    assert_eq!(
        got[5].1,
        json!({"id": "$update_team", "team_id": team.id, "user_id": bob.id})
    );
    assert_eq!(got[7].1, json!({"id": "billing:read", "user_id": ada.id}));
    assert_eq!(got[9].1["display_name"], "Renamed");
    assert_eq!(got[10].1["display_name"], "Ada");
    assert_eq!(got[13].1, json!({"id": ada.id, "teams": [{"id": team.id}]}));
    assert_eq!(got[14].1, json!({"id": team.id}));
    let log = stack.webhook_deliveries();
    assert_eq!(log.len(), 15);
    assert!(log
        .iter()
        .all(|d| d.state == DeliveryState::Delivered && d.attempts.len() == 1));
    assert_eq!(log[0].attempts[0].request.timestamp, 1_767_225_600);
    assert_eq!(
        log[0].attempts[0].request.header("svix-id"),
        receiver.received()[0].header("svix-id")
    );
}

#[tokio::test]
async fn a_personal_team_at_sign_up_sends_team_created_before_user_created_only() {
    let receiver = Receiver::start().await;
    let stack = LocalStackAuth::builder()
        .project(
            ProjectSpec::random()
                .permission(PermissionDefinition::project("read"))
                .sign_up_permissions(["read"])
                .webhook_endpoint(receiver.url.clone()),
        )
        .start()
        .await
        .unwrap();
    let ada = stack
        .create_user(UserSpec::normal().team("Ada's Team"))
        .unwrap();
    stack.wait_for_webhooks().await;
    let secret = stack.webhook_secret();
    let types: Vec<String> = receiver
        .received()
        .iter()
        .map(|r| event(r, &secret).0)
        .collect();
    assert_eq!(
        types,
        ["team.created", "user.created"],
        "no membership, permission or sign-up grant events"
    );
    // the sign-up permission was granted all the same
    let h = server(&stack);
    let path = format!("/api/v1/project-permissions?user_id={}", ada.id);
    assert_eq!(
        send(&stack, "GET", &path, &pairs(&h, &[]), None)
            .await
            .items()
            .len(),
        1
    );
}

#[tokio::test]
async fn failed_deliveries_are_retried_with_the_same_message_id() {
    let receiver = Receiver::start().await;
    let stack = LocalStackAuth::builder()
        .project(ProjectSpec::random().webhook_endpoint(receiver.url.clone()))
        .webhook_retry_delays([Duration::from_millis(1), Duration::from_millis(1)])
        .webhook_headers(WebhookHeaders::Both)
        .start()
        .await
        .unwrap();
    receiver.fail_with(&[500, 503]);
    stack.create_user(UserSpec::normal()).unwrap();
    stack.wait_for_webhooks().await;
    let got = receiver.received();
    assert_eq!(got.len(), 3);
    let ids: Vec<_> = got
        .iter()
        .map(|r| r.header("svix-id").unwrap().to_owned())
        .collect();
    assert!(ids.iter().all(|id| *id == ids[0]), "{ids:?}");
    for r in &got {
        assert_eq!(r.header("webhook-id"), r.header("svix-id"));
        assert_eq!(r.header("webhook-signature"), r.header("svix-signature"));
        assert_eq!(r.header("webhook-timestamp"), r.header("svix-timestamp"));
    }
    let log = stack.webhook_deliveries();
    assert_eq!(log[0].state, DeliveryState::Delivered);
    let statuses: Vec<_> = log[0].attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(500), Some(503), Some(204)]);
    // every attempt failing: Failed after 1 + 2 retries
    receiver.fail_with(&[500, 500, 500]);
    stack.create_user(UserSpec::normal()).unwrap();
    stack.wait_for_webhooks().await;
    let log = stack.webhook_deliveries();
    assert_eq!(
        (log[1].state, log[1].attempts.len()),
        (DeliveryState::Failed, 3)
    );
}

#[tokio::test]
async fn no_endpoint_sends_nothing_and_signed_requests_can_be_built_without_sending() {
    let stack = LocalStackAuth::start().await.unwrap();
    stack.create_user(UserSpec::normal()).unwrap();
    stack.wait_for_webhooks().await;
    assert!(stack.webhook_deliveries().is_empty());
    let receiver = Receiver::start().await;
    stack.set_webhook_endpoint(Some(&receiver.url));
    let signed = stack.sign_webhook_event("user.deleted", r#"{"id":"x","teams":[]}"#);
    assert_eq!(
        signed.body,
        r#"{"type":"user.deleted","data":{"id":"x","teams":[]}}"#
    );
    assert_eq!(signed.url, receiver.url);
    let expected = sign_webhook(
        &stack.webhook_secret(),
        &signed.message_id,
        signed.timestamp,
        &signed.body,
    );
    assert_eq!(signed.header("svix-signature"), Some(expected.as_str()));
    assert!(receiver.received().is_empty(), "not sent");
    stack.create_user(UserSpec::normal()).unwrap();
    stack.wait_for_webhooks().await;
    assert_eq!(receiver.received().len(), 1);
}
