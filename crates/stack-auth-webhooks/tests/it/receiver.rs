//! The receiver's checks, each one failing on its own and evicting nothing: header sets, several
//! signatures, the 5-minute tolerance both ways on the injected clock, the raw body verified
//! before parsing, copies and Svix's retries, the size cap, and a secret that never shows.

use std::{sync::Arc, time::Duration};

use stack_auth_testkit::{sign_webhook, SignedWebhook, WebhookHeaders, WebhookSecret};
use stack_auth_webhooks::{
    BodyProblem, WebhookError, WebhookEvent, WebhookReceiver, DEFAULT_DUPLICATE_WINDOW,
};

use crate::common::*;

fn receive(receiver: &WebhookReceiver, request: &SignedWebhook) -> Result<String, WebhookError> {
    receiver
        .receive(&headers(request), request.body.as_bytes())
        .map(|w| w.event().event_type().to_owned())
}

#[test]
fn either_header_set_is_accepted_and_svix_wins_when_both_are_sent() {
    let (receiver, recorder, _) = receiver();
    let body = permission_body();
    let standard = SignedWebhook::new(
        &secret(),
        "",
        "msg_std",
        T0,
        body.clone(),
        WebhookHeaders::Standard,
    );
    assert!(standard.header("svix-id").is_none());
    assert_eq!(
        receive(&receiver, &standard).as_deref(),
        Ok("team_permission.created")
    );
    let both = SignedWebhook::new(
        &secret(),
        "",
        "msg_both",
        T0,
        body.clone(),
        WebhookHeaders::Both,
    );
    assert!(receive(&receiver, &both).is_ok());
    // Both sent: a bad webhook-* set beside a good svix-* set is ignored...
    let good_svix = with_header(
        &SignedWebhook::new(
            &secret(),
            "",
            "msg_b2",
            T0,
            body.clone(),
            WebhookHeaders::Both,
        ),
        "webhook-signature",
        Some("v1,AAAA"),
    );
    assert!(receive(&receiver, &good_svix).is_ok());
    // ...and a bad svix-* set is not rescued by a good webhook-* set.
    let bad_svix = with_header(
        &SignedWebhook::new(&secret(), "", "msg_b3", T0, body, WebhookHeaders::Both),
        "svix-signature",
        Some("v1,AAAA"),
    );
    assert_eq!(
        receive(&receiver, &bad_svix),
        Err(WebhookError::BadSignature)
    );
    assert_eq!(recorder.seen().len(), 3);
}

#[test]
fn any_v1_signature_of_several_verifies_and_other_versions_are_ignored() {
    let (receiver, recorder, _) = receiver();
    let request = signed("msg_multi", T0, &permission_body());
    let good = request.header("svix-signature").unwrap().to_owned();
    let rotated = sign_webhook(&WebhookSecret::random(), "msg_multi", T0, &request.body);
    let good_tail = good.trim_start_matches("v1,");
    let listed = format!("v1a,{good_tail} {rotated} v2,{good_tail} {good}");
    assert!(receive(
        &receiver,
        &with_header(&request, "svix-signature", Some(&listed))
    )
    .is_ok());
    // The right bytes under another version label, or nothing but unknown versions: refused.
    let other = signed("msg_other", T0, &permission_body());
    let tail = other
        .header("svix-signature")
        .unwrap()
        .trim_start_matches("v1,")
        .to_owned();
    for signature in [
        format!("v1a,{tail} v2,{tail}"),
        rotated.clone(),
        format!("v1,{tail}x"),
        "v1,".to_owned(),
    ] {
        let forged = with_header(&other, "svix-signature", Some(&signature));
        assert_eq!(
            receive(&receiver, &forged),
            Err(WebhookError::BadSignature),
            "{signature}"
        );
    }
    assert_eq!(recorder.seen().len(), 1);
}

#[test]
fn the_tolerance_is_five_minutes_either_way_on_the_receivers_clock() {
    let (receiver, recorder, clock) = receiver();
    let body = permission_body();
    for (offset, accepted) in [
        (-300, true),
        (300, true),
        (-301, false),
        (301, false),
        (-86_400, false),
    ] {
        let request = signed(&format!("msg_t{offset}"), T0 + offset, &body);
        let got = receive(&receiver, &request);
        if accepted {
            assert!(got.is_ok(), "{offset}: {got:?}");
        } else {
            assert_eq!(
                got,
                Err(WebhookError::StaleTimestamp { seconds: -offset }),
                "{offset}"
            );
            assert_eq!(
                WebhookError::StaleTimestamp { seconds: -offset }.http_status(),
                401
            );
        }
    }
    assert_eq!(recorder.seen().len(), 2);
    // The same request, later on the clock: stale.
    let request = signed("msg_later", T0, &body);
    clock.advance(Duration::from_secs(301));
    assert_eq!(
        receive(&receiver, &request),
        Err(WebhookError::StaleTimestamp { seconds: 301 })
    );
}

#[test]
fn the_raw_body_is_verified_before_it_is_parsed() {
    let (receiver, recorder, _) = receiver();
    let spaced = format!(
        r#"{{ "type" : "team_membership.created", "data" : {{ "team_id" : "{TEAM}", "user_id" : "{USER}" }} }}"#
    );
    let request = signed("msg_raw", T0, &spaced);
    assert_eq!(
        receive(&receiver, &request).as_deref(),
        Ok("team_membership.created")
    );
    // The same JSON re-serialized is another body: refused before anything is parsed.
    let compact: serde_json::Value = serde_json::from_str(&spaced).unwrap();
    let mut reformatted = signed("msg_raw2", T0, &spaced);
    reformatted.body = compact.to_string();
    assert_eq!(
        receive(&receiver, &reformatted),
        Err(WebhookError::BadSignature)
    );
    // A forged body that is not even JSON is a bad signature (401), not a malformed body.
    let mut garbage = signed("msg_raw3", T0, &spaced);
    garbage.body = "not json".to_owned();
    assert_eq!(
        receive(&receiver, &garbage),
        Err(WebhookError::BadSignature)
    );
    // Signed but not an event: 400, and the signed id is not remembered.
    let signed_garbage = signed("msg_raw4", T0, r#"{"type":"user.deleted","data":{}}"#);
    let err = receive(&receiver, &signed_garbage).unwrap_err();
    assert!(
        matches!(
            err,
            WebhookError::MalformedBody(BodyProblem::Data {
                event_type: "user.deleted",
                ..
            })
        ),
        "{err}"
    );
    assert_eq!(recorder.seen().len(), 1);
}

#[test]
fn a_wrong_secret_or_a_forged_body_evicts_nothing() {
    let (receiver, recorder, _) = receiver();
    let wrong = signed_with(&WebhookSecret::random(), "msg_w", T0, &permission_body());
    assert_eq!(receive(&receiver, &wrong), Err(WebhookError::BadSignature));
    let mut forged = signed("msg_f", T0, &permission_body());
    forged.body = forged.body.replace("$update_team", "$delete_team");
    assert_eq!(receive(&receiver, &forged), Err(WebhookError::BadSignature));
    assert!(recorder.seen().is_empty());
}

#[test]
fn missing_and_malformed_headers_are_400() {
    let (receiver, recorder, _) = receiver();
    let request = signed("msg_h", T0, &permission_body());
    for name in ["svix-id", "svix-timestamp", "svix-signature"] {
        let err = receive(&receiver, &with_header(&request, name, None)).unwrap_err();
        assert_eq!(
            (err.clone(), err.http_status()),
            (WebhookError::MissingHeader(name), 400)
        );
    }
    let err = receive(
        &receiver,
        &with_header(&request, "svix-timestamp", Some("yesterday")),
    )
    .unwrap_err();
    assert_eq!(
        (err.clone(), err.http_status()),
        (WebhookError::InvalidHeader("svix-timestamp"), 400)
    );
    let mut repeated = request.clone();
    repeated
        .headers
        .push(("svix-id".into(), "msg_other".into()));
    assert_eq!(
        receive(&receiver, &repeated),
        Err(WebhookError::InvalidHeader("svix-id"))
    );
    assert!(recorder.seen().is_empty());
}

#[test]
fn a_copy_is_replayed_and_a_svix_retry_is_a_duplicate_that_evicts_nothing() {
    let (receiver, recorder, clock) = receiver();
    let body = permission_body();
    let first = signed("msg_dup", T0, &body);
    assert!(receive(&receiver, &first).is_ok());
    let err = receive(&receiver, &first).unwrap_err();
    assert_eq!(
        (err.clone(), err.http_status()),
        (WebhookError::Replayed, 401)
    );
    // Svix tries again 5 s later: the same id, signed afresh.
    clock.advance(Duration::from_secs(5));
    let retry = signed("msg_dup", T0 + 5, &body);
    let webhook = receiver.receive(&headers(&retry), body.as_bytes()).unwrap();
    assert!(webhook.is_duplicate());
    assert!(webhook.evictions().is_empty());
    assert!(matches!(
        webhook.event(),
        WebhookEvent::TeamPermissionCreated(_)
    ));
    assert_eq!(recorder.seen(), [permission_eviction()], "evicted once");
    // Clones share the memory.
    let clone = receiver.clone();
    assert_eq!(receive(&clone, &retry), Err(WebhookError::Replayed));
    // Past the window the id is forgotten: a late retry evicts again (idempotent).
    clock.advance(DEFAULT_DUPLICATE_WINDOW);
    let late = signed(
        "msg_dup",
        T0 + 5 + DEFAULT_DUPLICATE_WINDOW.as_secs() as i64,
        &body,
    );
    assert!(!receiver
        .receive(&headers(&late), body.as_bytes())
        .unwrap()
        .is_duplicate());
    assert_eq!(recorder.seen().len(), 2);
}

#[test]
fn a_body_over_the_cap_is_refused() {
    let receiver = WebhookReceiver::builder(SECRET)
        .max_body_bytes(64)
        .clock(stack_auth_core::test_util::ManualClock::at_unix_secs(
            T0 as u64,
        ))
        .build()
        .unwrap();
    let request = signed("msg_big", T0, &permission_body());
    let err = receive(&receiver, &request).unwrap_err();
    assert_eq!(
        (err.clone(), err.http_status()),
        (WebhookError::BodyTooLarge { limit: 64 }, 413)
    );
}

#[test]
fn the_secret_never_shows_and_bad_settings_are_refused() {
    let recorder = Arc::new(Recorder::default());
    let builder = WebhookReceiver::builder(SECRET).evicting(recorder);
    let receiver = builder.build().unwrap();
    let bare = WebhookReceiver::builder(SECRET.trim_start_matches("whsec_")).build();
    assert!(bare.is_ok(), "bare base64");
    let shown = format!("{receiver:?} {:?}", WebhookReceiver::builder(SECRET));
    assert!(!shown.contains("AAECAw"), "{shown}");
    for (builder, field) in [
        (WebhookReceiver::builder("whsec_AAECAw!"), "webhook_secret"),
        (WebhookReceiver::builder(""), "webhook_secret"),
        (
            WebhookReceiver::builder(SECRET).duplicate_window(Duration::from_secs(599)),
            "duplicate_window",
        ),
        (
            WebhookReceiver::builder(SECRET).duplicate_capacity(0),
            "duplicate_capacity",
        ),
        (
            WebhookReceiver::builder(SECRET).max_body_bytes(0),
            "max_body_bytes",
        ),
    ] {
        let err = builder.build().unwrap_err().to_string();
        assert!(err.starts_with(&format!("invalid {field}")), "{err}");
        assert!(!err.contains("AAECAw"), "{err}");
    }
}

#[test]
fn no_error_quotes_the_request() {
    let (receiver, _, _) = receiver();
    let body = r#"{"type":"user.deleted","data":{"id":5,"teams":"s3cr3t-marker"}}"#;
    for request in [
        signed("msg_e1", T0, body),
        signed_with(&WebhookSecret::random(), "msg_e2", T0, body),
        signed("msg_e3", T0 - 3600, body),
    ] {
        let error = receive(&receiver, &request).unwrap_err();
        for text in [error.to_string(), error.json_body()] {
            assert!(
                !text.contains("s3cr3t-marker") && !text.contains("msg_e"),
                "{text}"
            );
        }
    }
}
