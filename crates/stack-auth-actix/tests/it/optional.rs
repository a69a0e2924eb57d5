//! `MaybeStackUser`: no token gives `None`, a bad token is still refused; and why it, not
//! `Option<StackUser>`, is the optional extractor in actix-web.

use actix_web::{http::StatusCode, test, web, App};
use stack_auth_actix::{AuthRejection, MaybeStackUser, StackAuth, StackUser};
use stack_auth_core::{UserTypes, VerifiedUser};

use crate::common::{get, recording, send, Reply, ANON, BAD, GOOD};

fn describe(user: Option<VerifiedUser>) -> String {
    user.map_or_else(|| "nobody".to_owned(), |u| u.user_id().to_owned())
}

async fn maybe(MaybeStackUser(user): MaybeStackUser) -> String {
    describe(user)
}

async fn ask(auth: StackAuth, headers: &[(&str, &str)]) -> Reply {
    let app = test::init_service(
        App::new()
            .app_data(auth)
            .route("/maybe", web::get().to(maybe)),
    )
    .await;
    send(&app, get("/maybe", headers)).await
}

#[actix_web::test]
async fn no_token_is_none_without_calling_the_verifier() {
    let verifier = recording();
    let reply = ask(StackAuth::new(verifier.clone()), &[]).await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "nobody"));
    assert_eq!(verifier.calls(), 0);
}

#[actix_web::test]
async fn a_good_token_is_some_user() {
    let verifier = recording();
    let reply = ask(
        StackAuth::new(verifier.clone()),
        &[("x-stack-access-token", GOOD)],
    )
    .await;
    assert_eq!(
        (reply.status, &*reply.body),
        (StatusCode::OK, "user-normal")
    );
    assert_eq!(verifier.calls(), 1);
}

#[actix_web::test]
async fn a_bad_or_unreadable_token_is_still_refused() {
    let bearer = format!("Bearer {BAD}");
    let reply = ask(StackAuth::new(recording()), &[("authorization", &bearer)]).await;
    assert_eq!(reply.status, StatusCode::UNAUTHORIZED);
    reply.assert_error_body("bad_signature");
    reply.assert_no_token();
    let reply = ask(StackAuth::new(recording()), &[("x-stack-auth", "[1, 2]")]).await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    reply.assert_error_body("invalid_request");
}

#[actix_web::test]
async fn a_user_type_that_is_not_let_in_is_refused_not_ignored() {
    let auth = StackAuth::new(recording()).require(UserTypes::NORMAL_ONLY);
    let reply = ask(auth.clone(), &[("x-stack-access-token", ANON)]).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN);
    reply.assert_error_body("user_type_not_allowed");
    reply.assert_no_token();
    assert_eq!(ask(auth, &[]).await.body, "nobody");
}

/// What the docs warn about: actix-web's own `Option<T>` extractor swallows the rejection, so a
/// refused token reaches the handler as "no user". `MaybeStackUser` (above) refuses it.
#[actix_web::test]
async fn option_stack_user_is_actix_webs_error_swallowing_option() {
    let app =
        test::init_service(App::new().app_data(StackAuth::new(recording())).route(
            "/option",
            web::get().to(|user: Option<StackUser>| async move {
                describe(user.map(StackUser::into_inner))
            }),
        ))
        .await;
    let reply = send(&app, get("/option", &[("x-stack-access-token", BAD)])).await;
    assert_eq!((reply.status, &*reply.body), (StatusCode::OK, "nobody"));
}

#[actix_web::test]
async fn handlers_can_take_the_rejection_and_inspect_it() {
    let app = test::init_service(App::new().app_data(StackAuth::new(recording())).route(
        "/",
        web::get().to(|user: Result<StackUser, AuthRejection>| async move {
            match user {
                Ok(user) => user.user_id().to_owned(),
                Err(r) => format!(
                    "{} {} {}",
                    r.status().as_u16(),
                    r.code(),
                    r.is_missing_token()
                ),
            }
        }),
    ))
    .await;
    assert_eq!(
        send(&app, get("/", &[])).await.body,
        "401 missing_token true"
    );
    let bad = [("x-stack-access-token", BAD)];
    assert_eq!(
        send(&app, get("/", &bad)).await.body,
        "401 bad_signature false"
    );
    let good = [("x-stack-access-token", GOOD)];
    assert_eq!(send(&app, get("/", &good)).await.body, "user-normal");
}
