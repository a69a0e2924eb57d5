//! The trait is object safe and forwarded through `&T`, `Box<T>` and `Arc<T>`.
#![allow(clippy::unwrap_used, clippy::expect_used)]
#![cfg(feature = "test-util")]

use std::sync::Arc;

use stack_auth_core::{
    test_util::{FnVerifier, RecordingVerifier, StaticVerifier},
    DynTokenVerifier, RefusalReason, TokenVerifier, UserType, VerifiedUser, VerifyError,
};

async fn through<V: TokenVerifier>(v: V, token: &str) -> Result<VerifiedUser, VerifyError> {
    v.verify(token).await
}

#[tokio::test]
async fn forwarding_impls_reach_the_inner_verifier() {
    let rec = RecordingVerifier::new(FnVerifier::new(|t: &str| {
        Ok(VerifiedUser::new(t, "p", UserType::Normal, None))
    }));
    assert_eq!(through(&rec, "a").await.unwrap().user_id(), "a");
    let boxed: Box<dyn TokenVerifier> = Box::new(StaticVerifier::refuse(RefusalReason::Expired));
    assert_eq!(
        through(&boxed, "x").await.unwrap_err().refusal_reason(),
        Some(RefusalReason::Expired)
    );
    assert_eq!(
        through(boxed, "x").await.unwrap_err().refusal_reason(),
        Some(RefusalReason::Expired)
    );
    let shared: Arc<DynTokenVerifier> = Arc::new(rec);
    assert_eq!(through(shared.clone(), "b").await.unwrap().user_id(), "b");
    assert_eq!(
        through(Arc::clone(&shared), "c").await.unwrap().user_id(),
        "c"
    );
}

#[tokio::test]
async fn recording_counts_and_resets() {
    let rec = RecordingVerifier::new(StaticVerifier::accept(VerifiedUser::new(
        "u",
        "p",
        UserType::Normal,
        None,
    )));
    for t in ["1", "2", "2"] {
        rec.verify(t).await.unwrap();
    }
    assert_eq!(rec.calls(), 3);
    assert_eq!(rec.tokens(), ["1", "2", "2"]);
    assert_eq!(format!("{rec:?}"), "RecordingVerifier { calls: 3, .. }");
    rec.reset();
    assert_eq!(rec.calls(), 0);
}
