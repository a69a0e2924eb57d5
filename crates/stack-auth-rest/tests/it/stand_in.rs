//! Against the local Stack Auth stand-in (stack-auth-testkit): each user type, deleted users,
//! server keys, rotation, broken tokens, injected faults, and the exact request counts the
//! issue asks for.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use stack_auth_core::{
    Clock, MisconfigKind, RefusalReason, RestrictedReason, TokenVerifier, UnavailableKind,
    UserType, UserTypes, VerifyError,
};
use stack_auth_rest::{CircuitBreakerPolicy, RestVerifier, RestVerifierBuilder, RetryPolicy};
use stack_auth_testkit::{
    random_secret, Breakage, Fault, LocalStackAuth, ProjectSpec, Route, TestClock, UserSpec,
};

fn rest(stack: &LocalStackAuth) -> RestVerifierBuilder {
    RestVerifier::builder_with_config(stack.config(), stack.secret_server_key())
        .retry_policy(RetryPolicy::new(3, Duration::from_millis(1)))
}

fn kind(e: &VerifyError) -> UnavailableKind {
    match e {
        VerifyError::Unavailable(u) => u.kind(),
        other => panic!("expected unavailable, got {other:?}"),
    }
}

fn misconfig(e: &VerifyError) -> MisconfigKind {
    match e {
        VerifyError::Misconfigured(m) => m.kind(),
        other => panic!("expected misconfigured, got {other:?}"),
    }
}

#[tokio::test]
async fn each_user_type_with_its_full_profile_and_local_filtering() {
    let stack = LocalStackAuth::start().await.unwrap();
    let users = [
        (
            UserType::Normal,
            UserSpec::normal().email("ada@example.com").team("Team A"),
        ),
        (
            UserType::Restricted,
            UserSpec::restricted(RestrictedReason::EmailNotVerified),
        ),
        (
            UserType::Restricted,
            UserSpec::restricted(RestrictedReason::RestrictedByAdministrator),
        ),
        (UserType::Anonymous, UserSpec::anonymous()),
    ];
    let all = rest(&stack)
        .accepted_user_types(UserTypes::ALL)
        .build()
        .unwrap();
    let normal_only = rest(&stack).build().unwrap();
    for (user_type, spec) in users {
        let created = stack.create_user(spec).unwrap();
        let token = stack.mint(&created);
        let user = all.verify(&token).await.unwrap();
        assert_eq!(user.user_type(), user_type);
        assert_eq!(user.user_id(), created.id);
        assert_eq!(
            user.profile(),
            Some(&created),
            "the complete server profile"
        );
        assert_eq!(user.restricted_reason(), created.restricted_reason);
        match normal_only.verify(&token).await {
            Ok(u) => assert_eq!(u.user_type(), UserType::Normal),
            Err(e) => {
                assert_ne!(user_type, UserType::Normal);
                assert_eq!(e.refusal_reason(), Some(RefusalReason::UserTypeNotAllowed));
                assert_eq!(e.http_status(), 403);
            }
        }
    }
    // `all` asks Stack Auth to let every type through; `normal_only` asks for none, so Stack
    // Auth itself refuses the restricted and anonymous users (401/403), not only the verifier.
    let (mut allowing, mut strict) = (0, 0);
    for rec in stack.request_log() {
        assert_eq!(rec.header("x-stack-access-type"), Some("server"));
        let anonymous = rec.header("x-stack-allow-anonymous-user");
        let restricted = rec.header("x-stack-allow-restricted-user");
        match (anonymous, restricted) {
            (Some("true"), Some("true")) => {
                allowing += 1;
                assert_eq!(rec.status, Some(200));
            }
            (None, None) => {
                strict += 1;
                assert!(matches!(rec.status, Some(200 | 401 | 403)), "{rec:?}");
            }
            other => panic!("unexpected allow headers {other:?}"),
        }
    }
    assert_eq!((allowing, strict), (4, 4));
    let refused_upstream = stack
        .request_log()
        .iter()
        .filter(|r| matches!(r.status, Some(401 | 403)))
        .count();
    assert_eq!(
        refused_upstream, 3,
        "Stack Auth refused the three non-normal users"
    );
}

#[tokio::test]
async fn a_deleted_user_is_refused_as_not_found() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&ada);
    let v = rest(&stack).disable_token_cache().build().unwrap();
    v.verify(&token).await.unwrap();
    stack.delete_user(&ada.id).unwrap();
    let e = v.verify(&token).await.unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::UserNotFound));
}

#[tokio::test]
async fn wrong_and_rotated_server_keys_are_misconfiguration_not_refusals() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&ada);
    let wrong = RestVerifier::builder_with_config(stack.config(), "ssk_not_the_key")
        .build()
        .unwrap();
    let e = wrong.verify(&token).await.unwrap_err();
    assert_eq!(misconfig(&e), MisconfigKind::InvalidSecretServerKey);
    assert_eq!(e.http_status(), 500);
    assert_eq!(stack.requests(Route::UsersMe), 1, "not retried, not cached");

    let old = stack.secret_server_key();
    let pid = stack.project_id().to_owned();
    stack.add_secret_server_key(&pid, "ssk_rotated_in").unwrap();
    stack.revoke_secret_server_key(&pid, &old).unwrap();
    let stale = RestVerifier::builder_with_config(stack.config(), old)
        .build()
        .unwrap();
    let e = stale.verify(&token).await.unwrap_err();
    assert_eq!(misconfig(&e), MisconfigKind::InvalidSecretServerKey);
    let fresh = RestVerifier::builder_with_config(stack.config(), "ssk_rotated_in")
        .build()
        .unwrap();
    assert_eq!(fresh.verify(&token).await.unwrap().user_id(), ada.id);
}

#[tokio::test]
async fn signing_secret_rotation_refuses_old_tokens_and_accepts_new_ones() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let before = stack.mint(&ada);
    let v = rest(&stack).disable_token_cache().build().unwrap();
    v.verify(&before).await.unwrap();
    stack.rotate_secret(random_secret()).unwrap();
    let e = v.verify(&before).await.unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::Unparsable));
    let after = stack.mint(&ada);
    assert_eq!(v.verify(&after).await.unwrap().user_id(), ada.id);
}

#[tokio::test]
async fn tokens_of_another_project_and_expired_tokens_are_refused() {
    let stack = LocalStackAuth::builder()
        .project(ProjectSpec::random())
        .project("second-project")
        .start()
        .await
        .unwrap();
    let other = stack
        .create_user_in("second-project", UserSpec::normal())
        .unwrap();
    let other_token = stack.minter_for("second-project").unwrap().mint(&other);
    let v = rest(&stack).build().unwrap();
    let e = v.verify(&other_token).await.unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::WrongProject));

    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let expired = stack.token(&ada).broken(Breakage::Expired).mint();
    let e = v.verify(&expired).await.unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::Expired));
}

/// Signed with the project's real key but with claims Stack Auth asserts on: it answers a plain
/// 500 (PROTOCOL §1.8), which REST cannot tell from an outage. Only a holder of the signing
/// key can make such a token; the JWKS verifier refuses them as `inconsistent_claims`/`malformed`.
const SERVER_ASSERTIONS: [Breakage; 5] = [
    Breakage::BranchNotMain,
    Breakage::AnonymousClaimOnNormalAudience,
    Breakage::RestrictedWithoutReason,
    Breakage::MissingSub,
    Breakage::MissingExp,
];

#[tokio::test]
async fn broken_tokens_get_what_stack_auth_says() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let v = rest(&stack).build().unwrap();
    for b in Breakage::ALL {
        let token = stack.token(&ada).broken(b).mint();
        let verdict = v.verify(&token).await;
        let label = b.label();
        match verdict {
            // Stack Auth does not tie the issuer variant to the audience (PROTOCOL §1.8 step 5);
            // only a local verifier can be that strict.
            Ok(_) if b == Breakage::IssuerVariantMismatch => {}
            Ok(_) => panic!("{label} accepted"),
            Err(e) if SERVER_ASSERTIONS.contains(&b) => {
                assert_eq!(kind(&e), UnavailableKind::ServerError, "{label}");
            }
            Err(e) => {
                let reason = e
                    .refusal_reason()
                    .unwrap_or_else(|| panic!("{label}: {e:?}"));
                let allowed: &[RefusalReason] = match b {
                    Breakage::Expired => &[RefusalReason::Expired],
                    // Stack Auth answers UNPARSABLE_ACCESS_TOKEN (both keys of the audience
                    // match a header without `kid`: jose's JWKSMultipleMatchingKeys); the
                    // verifier's local shape screen refuses it first, without a request.
                    Breakage::MissingKid => &[RefusalReason::Malformed],
                    // Another `alg` than ES256 never reaches Stack Auth either.
                    Breakage::AlgNone | Breakage::Hs256WithPublicKey | Breakage::Es384Header => {
                        &[RefusalReason::UnsupportedAlgorithm]
                    }
                    _ => &[RefusalReason::Unparsable, RefusalReason::Malformed],
                };
                assert!(allowed.contains(&reason), "{label}: {reason}");
            }
        }
    }
    assert!(v
        .verify(
            &stack
                .token(&ada)
                .broken(Breakage::IssuerVariantMismatch)
                .mint()
        )
        .await
        .is_ok());
}

#[tokio::test]
async fn injected_faults_map_to_unavailability() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let v = rest(&stack)
        .disable_token_cache()
        .circuit_breaker(CircuitBreakerPolicy::disabled())
        .max_response_bytes(64 * 1024)
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap();
    stack.inject_times(Route::UsersMe, Fault::status(503), 2);
    v.verify(&stack.mint(&ada)).await.unwrap();
    assert_eq!(
        stack.requests(Route::UsersMe),
        3,
        "two 503s retried, then success"
    );
    let cases = [
        (Fault::GarbageJson, UnavailableKind::InvalidResponse),
        (Fault::Oversized(1 << 20), UnavailableKind::ProfileTooLarge),
        (Fault::DropConnection, UnavailableKind::Connect),
        (
            Fault::RateLimited {
                retry_after: Some(60),
            },
            UnavailableKind::RateLimited,
        ),
        (Fault::status(500), UnavailableKind::ServerError),
        (Fault::Hang, UnavailableKind::Timeout),
    ];
    for (fault, expected) in cases {
        stack.clear_faults();
        stack.inject(Route::UsersMe, fault);
        let e = v.verify(&stack.mint(&ada)).await.unwrap_err();
        assert_eq!(kind(&e), expected);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hundred_concurrent_verifications_of_one_token_make_one_request() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.mint(&ada);
    stack.inject(Route::UsersMe, Fault::Latency(Duration::from_millis(200)));
    let v = rest(&stack).build().unwrap();
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (v, token) = (v.clone(), token.clone());
            tokio::spawn(async move { v.verify(&token).await })
        })
        .collect();
    for t in tasks {
        assert_eq!(t.await.unwrap().unwrap().user_id(), ada.id);
    }
    assert_eq!(stack.requests(Route::UsersMe), 1);
}

#[tokio::test]
async fn thousand_distinct_tokens_reuse_pooled_connections() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let tokens: Vec<String> = (0..1_000).map(|_| stack.mint(&ada)).collect();
    let v = rest(&stack).build().unwrap();
    for token in &tokens {
        v.verify(token).await.unwrap();
    }
    assert_eq!(stack.requests(Route::UsersMe), 1_000);
    let connections = stack.connections_accepted();
    assert!(
        connections <= 2,
        "{connections} connections for 1000 requests"
    );
}

#[tokio::test]
async fn a_refused_token_replayed_a_thousand_times_costs_one_request() {
    let stack = LocalStackAuth::start().await.unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let forged = stack.token(&ada).broken(Breakage::WrongKey).mint();
    let good = stack.mint(&ada);
    let v = rest(&stack).build().unwrap();
    for _ in 0..1_000 {
        let e = v.verify(&forged).await.unwrap_err();
        assert_eq!(e.refusal_reason(), Some(RefusalReason::Unparsable));
    }
    assert_eq!(stack.requests(Route::UsersMe), 1);
    for _ in 0..1_000 {
        v.verify(&good).await.unwrap();
    }
    assert_eq!(stack.requests(Route::UsersMe), 2);
}

/// The stand-in's clock, shifted: the verifier's view of "now".
#[derive(Debug)]
struct Shifted(TestClock, Duration);

impl Clock for Shifted {
    fn now(&self) -> SystemTime {
        let millis = u64::try_from(self.0.now_millis()).unwrap();
        UNIX_EPOCH + Duration::from_millis(millis) + self.1
    }
}

#[tokio::test]
async fn a_cached_user_never_outlives_the_token_exp() {
    let stack = LocalStackAuth::start().await.unwrap();
    let t0 = 1_767_225_600;
    stack.clock().freeze_at(t0);
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let token = stack.token(&ada).expires_at(t0 + 1).mint();
    // The verifier believes 500 ms have passed: 500 ms of life left, far below the 30 s TTL.
    let v = rest(&stack)
        .clock(Shifted(stack.clock().clone(), Duration::from_millis(500)))
        .build()
        .unwrap();
    v.verify(&token).await.unwrap();
    v.verify(&token).await.unwrap();
    assert_eq!(
        stack.requests(Route::UsersMe),
        1,
        "cached while the token lives"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    v.verify(&token).await.unwrap();
    assert_eq!(
        stack.requests(Route::UsersMe),
        2,
        "not served from cache past exp"
    );
}
