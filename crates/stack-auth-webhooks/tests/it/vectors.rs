//! The two check vectors of PROTOCOL §10.5.2, verified by the receiver as they are written
//! there (headers, timestamp, body and signature), on a clock at their timestamps.

use stack_auth_core::test_util::ManualClock;
use stack_auth_webhooks::{BodyProblem, WebhookError, WebhookEvent, WebhookReceiver};

use crate::common::*;

fn svix_headers(id: &str, timestamp: &str, signature: &str) -> http::HeaderMap {
    let mut headers = http::HeaderMap::new();
    headers.insert("svix-id", id.parse().unwrap());
    headers.insert("svix-timestamp", timestamp.parse().unwrap());
    headers.insert("svix-signature", signature.parse().unwrap());
    headers
}

#[test]
fn svixs_published_sample() {
    let receiver = WebhookReceiver::builder("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        .clock(ManualClock::at_unix_secs(1_614_265_330))
        .build()
        .unwrap();
    let body = br#"{"test": 2432232314}"#;
    let headers = svix_headers(
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        "1614265330",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
    assert_eq!(receiver.verify_signature(&headers, body), Ok(()));
    // Not a Stack Auth event: signed, so a 400, never a 401.
    let err = receiver.receive(&headers, body).unwrap_err();
    assert!(
        matches!(
            err,
            WebhookError::MalformedBody(BodyProblem::Envelope { .. })
        ),
        "{err}"
    );
    assert_eq!(err.http_status(), 400);
    // One byte changed anywhere, and it no longer verifies.
    let changed = br#"{"test": 2432232315}"#;
    assert_eq!(
        receiver.verify_signature(&headers, changed),
        Err(WebhookError::BadSignature)
    );
    let other_id = svix_headers(
        "msg_p5jXN8AQM9LWM0D4loKWxJeK",
        "1614265330",
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
    );
    assert_eq!(
        receiver.verify_signature(&other_id, body),
        Err(WebhookError::BadSignature)
    );
}

#[test]
fn the_stack_shaped_vector_is_a_team_permission_grant() {
    let (receiver, recorder, _) = receiver();
    let body = permission_body();
    let headers = svix_headers(
        "msg_2KWPBgLlAfxdpx2AI54pPJ85f4W",
        "1767225600",
        "v1,+tNhGqpgNVSpFmE9Z7H0YnglqRFtMFTzTXUNxKJ1mWg=",
    );
    let webhook = receiver.receive(&headers, body.as_bytes()).unwrap();
    assert_eq!(
        (
            webhook.message_id(),
            webhook.timestamp(),
            webhook.is_duplicate()
        ),
        ("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", 1_767_225_600, false)
    );
    let WebhookEvent::TeamPermissionCreated(grant) = webhook.event() else {
        panic!("{:?}", webhook.event())
    };
    assert_eq!(
        (
            grant.id.as_str(),
            grant.team_id.as_str(),
            grant.user_id.as_str()
        ),
        ("$update_team", TEAM, USER)
    );
    assert_eq!(recorder.seen(), [permission_eviction()]);
    assert_eq!(webhook.evictions(), [permission_eviction()]);
}

#[test]
fn the_testkits_independent_signer_agrees_with_the_vector() {
    let request = signed("msg_2KWPBgLlAfxdpx2AI54pPJ85f4W", T0, &permission_body());
    assert_eq!(
        request.header("svix-signature"),
        Some("v1,+tNhGqpgNVSpFmE9Z7H0YnglqRFtMFTzTXUNxKJ1mWg=")
    );
}
