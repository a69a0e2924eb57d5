//! Issue 14, item 6: the REST verifier sent strings that cannot be a JWT to users/me, each
//! request carrying the secret server key. It now screens the shape locally (three base64url
//! segments, a JSON header naming `alg` and `kid`, a JSON payload, the size) and refuses
//! anything else as `malformed` without a request.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use stack_auth_core::{RefusalReason, TokenVerifier};
use stack_auth_rest::RestVerifier;
use stack_auth_testkit::{Breakage, LocalStackAuth, Route, UserSpec};

fn b64(s: &str) -> String {
    URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn strings_that_cannot_be_a_jwt_never_reach_users_me() {
    let stack = LocalStackAuth::start().await.unwrap();
    let v = RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap();
    let header = b64(r#"{"alg":"ES256","kid":"k1"}"#);
    let not_tokens = [
        "a-session-cookie-value".to_owned(),
        "Bearer".to_owned(),
        "a.b.c".to_owned(),
        "null".to_owned(),
        format!("{header}.{}", b64("{}")),
        format!("{header}.{}.", b64("{}")),
        format!("{}.{}.{}", b64(r#"{"alg":"ES256"}"#), b64("{}"), b64("sig")),
        format!("{}.{}.{}", b64("[]"), b64("{}"), b64("sig")),
        format!("{header}.{}.{}", b64("not json"), b64("sig")),
        format!("{header}.{}!.{}", b64("{}"), b64("sig")),
    ];
    for token in &not_tokens {
        let verified = v.verify(token).await.unwrap_err();
        let fetched = v.fetch_profile(token).await.unwrap_err();
        assert_eq!(
            stack.requests(Route::UsersMe),
            0,
            "{token} reached users/me"
        );
        for e in [verified, fetched] {
            assert_eq!(
                e.refusal_reason(),
                Some(RefusalReason::Malformed),
                "{token}"
            );
        }
    }

    // Token-shaped strings still go to Stack Auth, which decides (a forged signature here).
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let forged = stack.token(&ada).broken(Breakage::WrongKey).mint();
    let e = v.verify(&forged).await.unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::Unparsable));
    assert_eq!(stack.requests(Route::UsersMe), 1);
}
