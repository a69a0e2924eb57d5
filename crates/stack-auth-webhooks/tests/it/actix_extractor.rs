//! The actix-web extractor: the same answers as axum's, from app data or `web::Data`, and 500
//! without a receiver.

use actix_web::{http::StatusCode, test, web, App, HttpResponse};
use stack_auth_testkit::SignedWebhook;
use stack_auth_webhooks::StackWebhook;

use crate::common::*;

async fn handler(webhook: StackWebhook) -> HttpResponse {
    HttpResponse::Ok().body(webhook.event().event_type().to_owned())
}

fn request(signed: &SignedWebhook) -> actix_http::Request {
    let mut request = test::TestRequest::post().uri("/webhooks/stack");
    for (name, value) in &signed.headers {
        request = request.insert_header((name.as_str(), value.as_str()));
    }
    request.set_payload(signed.body.clone()).to_request()
}

macro_rules! service {
    ($app:expr) => {
        test::init_service($app.route("/webhooks/stack", web::post().to(handler))).await
    };
}

#[actix_web::test]
async fn a_verified_delivery_reaches_the_handler_with_its_evictions_done() {
    let (receiver, recorder, _) = receiver();
    let app = service!(App::new().app_data(web::Data::new(receiver)));
    let response =
        test::call_service(&app, request(&signed("msg_ok", T0, &permission_body()))).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(test::read_body(response).await, "team_permission.created");
    assert_eq!(recorder.seen(), [permission_eviction()]);
}

#[actix_web::test]
async fn every_bad_delivery_is_answered_without_echo_and_evicts_nothing() {
    let (receiver, recorder, _) = receiver();
    let app = service!(App::new().app_data(receiver));
    let (good, cases) = bad_deliveries();
    assert_eq!(
        test::call_service(&app, request(&good)).await.status(),
        StatusCode::OK
    );
    let evicted = recorder.seen().len();
    for (signed, status, code) in cases {
        let response = test::call_service(&app, request(&signed)).await;
        let got = response.status().as_u16();
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/json"
        );
        let text = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
        assert_refused(got, &text, (status, code));
    }
    assert_eq!(recorder.seen().len(), evicted, "nothing more evicted");
}

#[actix_web::test]
async fn without_a_receiver_the_answer_is_500() {
    let app = service!(App::new());
    let response =
        test::call_service(&app, request(&signed("msg_x", T0, &permission_body()))).await;
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let text = String::from_utf8(test::read_body(response).await.to_vec()).unwrap();
    assert!(text.contains(r#""error":"misconfigured""#), "{text}");
}
