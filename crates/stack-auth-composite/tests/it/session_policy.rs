//! `SessionChecked`'s decision table over doubles: which answers refuse under which policy,
//! what "unknown" does, where the session id comes from, and that evictions reach both sides.

use std::sync::{Arc, Mutex};

use stack_auth_composite::{SessionChecked, SessionPolicy, UnknownSessionPolicy};
use stack_auth_core::{
    async_trait, test_util::StaticVerifier, Evict, Eviction, MisconfigKind, Misconfiguration,
    RefusalReason, SessionChecker, SessionLiveness, TokenVerifier, Unavailable, UnavailableKind,
    Upstream, VerifyError,
};

use crate::common::*;

type Answer = Result<SessionLiveness, VerifyError>;

/// A session checker answering `answer`, recording what it was asked and told.
#[derive(Debug)]
struct Checker {
    answer: Answer,
    asked: Mutex<Vec<(String, String)>>,
    told: Mutex<Vec<Eviction>>,
}

impl Checker {
    fn new(answer: Answer) -> Arc<Checker> {
        Arc::new(Checker {
            answer,
            asked: Mutex::default(),
            told: Mutex::default(),
        })
    }

    fn asked(&self) -> Vec<(String, String)> {
        self.asked.lock().unwrap().clone()
    }
}

#[async_trait]
impl SessionChecker for Checker {
    async fn session_liveness(&self, user_id: &str, session_id: &str) -> Answer {
        let asked = (user_id.to_owned(), session_id.to_owned());
        self.asked.lock().unwrap().push(asked);
        self.answer.clone()
    }
}

impl Evict for Checker {
    fn evict(&self, eviction: &Eviction) {
        self.told.lock().unwrap().push(eviction.clone());
    }
}

fn down() -> Unavailable {
    Unavailable::new(Upstream::Api, UnavailableKind::CircuitOpen)
}

/// What the verifier answers for the interop `normal-user` token, over a JWT double that
/// accepts it, when the checker answers `answer`: `Ok(())` or the error's label.
async fn outcome(
    answer: Answer,
    policy: SessionPolicy,
    unknown: UnknownSessionPolicy,
) -> Result<(), &'static str> {
    let token = token("normal-user");
    let checker = Checker::new(answer);
    let verifier = SessionChecked::new(jwt(Ok(claims_user(&token))), Arc::clone(&checker))
        .with_policy(policy)
        .with_unknown_policy(unknown);
    let result = verifier.verify(&token).await;
    let claims = claims_of(&token);
    assert_eq!(
        checker.asked(),
        [(claims.sub, claims.refresh_token_id.unwrap())],
        "the token's user and session"
    );
    result.map(drop).map_err(|e| e.reason_label())
}

#[tokio::test]
async fn the_decision_table() {
    use SessionPolicy::{EndedOnly, ListedOnly};
    use UnknownSessionPolicy::{Accept, Unavailable as FailClosed};
    let misconfigured = || Err(Misconfiguration::new(MisconfigKind::InvalidSecretServerKey).into());
    let cases: [(Answer, [Result<(), &str>; 2]); 6] = [
        (Ok(SessionLiveness::Alive), [Ok(()), Ok(())]),
        (
            Ok(SessionLiveness::Ended),
            [Err("session_ended"), Err("session_ended")],
        ),
        (
            Ok(SessionLiveness::NotListed),
            [Ok(()), Err("session_ended")],
        ),
        (Ok(SessionLiveness::Unknown(down())), [Ok(()), Ok(())]),
        (Err(down().into()), [Ok(()), Ok(())]),
        (
            misconfigured(),
            [
                Err("invalid_secret_server_key"),
                Err("invalid_secret_server_key"),
            ],
        ),
    ];
    for (answer, [ended_only, listed_only]) in cases {
        let label = format!("{answer:?}");
        let got = outcome(answer.clone(), EndedOnly, Accept).await;
        assert_eq!(got, ended_only, "EndedOnly: {label}");
        assert_eq!(
            outcome(answer, ListedOnly, Accept).await,
            listed_only,
            "ListedOnly: {label}"
        );
    }
    // Failing closed turns "unknown" into the checker's unavailability, and nothing else.
    for policy in [EndedOnly, ListedOnly] {
        let unknown = Ok(SessionLiveness::Unknown(down()));
        assert_eq!(
            outcome(unknown, policy, FailClosed).await,
            Err("circuit_open")
        );
        let alive = Ok(SessionLiveness::Alive);
        assert_eq!(outcome(alive, policy, FailClosed).await, Ok(()));
    }
}

#[tokio::test]
async fn a_token_the_inner_verifier_refuses_is_never_checked() {
    let checker = Checker::new(Ok(SessionLiveness::Ended));
    let inner = StaticVerifier::refuse(RefusalReason::BadSignature);
    let verifier = SessionChecked::new(inner, Arc::clone(&checker));
    let e = verifier.verify(&token("normal-user")).await.unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::BadSignature));
    assert!(checker.asked().is_empty());
}

#[tokio::test]
async fn without_claims_the_session_is_read_from_the_accepted_token() {
    let token = token("normal-user");
    let claims = claims_of(&token);
    // A REST-like verifier: a profile, no claims.
    let checker = Checker::new(Ok(SessionLiveness::Ended));
    let verifier = SessionChecked::new(jwt(Ok(profile_for(&token))), Arc::clone(&checker));
    let e = verifier.verify(&token).await.unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::SessionEnded));
    assert_eq!(
        checker.asked(),
        [(claims.sub, claims.refresh_token_id.unwrap())]
    );

    // Nothing names a session (an opaque credential a verifier of your own accepts): the
    // default lets it through unasked, the strict policy refuses it.
    let opaque = SessionChecked::new(jwt(Ok(profile_for(&token))), Arc::clone(&checker));
    opaque.verify("not-a-jwt").await.unwrap();
    let strict = opaque.with_policy(SessionPolicy::ListedOnly);
    let e = strict.verify("not-a-jwt").await.unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::SessionEnded));
    assert_eq!(checker.asked().len(), 1, "neither was asked about");
}

#[tokio::test]
async fn evictions_reach_the_inner_verifier_and_the_checker() {
    let checker = Checker::new(Ok(SessionLiveness::Alive));
    let inner = Checker::new(Ok(SessionLiveness::Alive));
    let verifier = SessionChecked::new(InnerAsVerifier(Arc::clone(&inner)), Arc::clone(&checker));
    let ended = Eviction::SessionEnded {
        user_id: "u".into(),
        session_id: "s".into(),
    };
    verifier.clone().evict(&ended);
    assert_eq!(*inner.told.lock().unwrap(), std::slice::from_ref(&ended));
    assert_eq!(*checker.told.lock().unwrap(), [ended]);
    assert!(format!("{verifier:?}").contains("EndedOnly"));
}

/// A verifier that only listens (its checker's log stands for its cache).
#[derive(Debug, Clone)]
struct InnerAsVerifier(Arc<Checker>);

#[async_trait]
impl TokenVerifier for InnerAsVerifier {
    async fn verify(&self, _: &str) -> Result<stack_auth_core::VerifiedUser, VerifyError> {
        Err(VerifyError::refused(RefusalReason::BadSignature))
    }
}

impl Evict for InnerAsVerifier {
    fn evict(&self, eviction: &Eviction) {
        self.0.evict(eviction);
    }
}
