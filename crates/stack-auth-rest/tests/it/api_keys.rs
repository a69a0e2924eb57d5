//! `ApiKeys` against the stand-in: every row of PROTOCOL §10.2.3, the worked key examples of
//! §10.2.4, the offline screen (malformed strings, a tampered checksum, a `pk_` key, a key of
//! the wrong type: no request), owners resolved (§10.2.6), and the feature gate.

use stack_auth_core::{
    ApiKeyOwner, ApiKeyType, MisconfigKind, RefusalReason, UserType, VerifyError,
};
use stack_auth_rest::{ApiKeys, ServerApi};
use stack_auth_testkit::{
    ApiKeySpec, Fault, LocalStackAuth, ProjectSpec, Route, TeamSpec, UserSpec,
};

pub(crate) const SECRET: &str = "0123456789abcdefghjkmnpqrstvwxyz0123456789abc";
pub(crate) const KEY_ID: &str = "3241a285-8329-4d69-8f3d-316e08cf140c";
/// The worked example of §10.2.4: user, cloud, secret.
pub(crate) const WORKED: &str = "sk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cuser0574ck4u7hdbb7389e";

/// A stand-in with both kinds of keys enabled.
pub(crate) async fn stand_in() -> LocalStackAuth {
    LocalStackAuth::builder()
        .project(
            ProjectSpec::random()
                .user_api_keys(true)
                .team_api_keys(true),
        )
        .start()
        .await
        .unwrap()
}

pub(crate) fn api(stack: &LocalStackAuth) -> ServerApi {
    ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap()
}

/// Check requests of both kinds so far.
pub(crate) fn checks(stack: &LocalStackAuth) -> u64 {
    stack.requests(Route::UserApiKeyCheck) + stack.requests(Route::TeamApiKeyCheck)
}

pub(crate) fn reason(e: &VerifyError) -> Option<RefusalReason> {
    e.refusal_reason()
}

/// A key of the worked examples: the example's secret part and key id, then `tail`.
fn worked(prefix: &str, tail: &str) -> String {
    format!("{prefix}_{SECRET}3241a28583294d698f3d316e08cf140c{tail}")
}

#[tokio::test]
async fn the_worked_examples_of_the_protocol_check_on_the_stand_in() {
    let stack = stand_in().await;
    let examples = [
        (
            ApiKeyType::User,
            false,
            true,
            worked("sk", "user0574ck4u7hdbb7389e"),
        ),
        (
            ApiKeyType::Team,
            false,
            false,
            worked("sk", "team1574ck4u7h8390c0a3"),
        ),
        (
            ApiKeyType::User,
            true,
            true,
            worked("pk", "user2574ck4u7h730c43cd"),
        ),
        (
            ApiKeyType::Team,
            true,
            false,
            worked("pk", "team3574ck4u7h2b2bbbf0"),
        ),
    ];
    assert_eq!(examples[0].3, WORKED);
    for (key_type, public, cloud, expected) in examples {
        // One project per example: they share their key id.
        let project = ProjectSpec::random()
            .user_api_keys(true)
            .team_api_keys(true);
        let pid = project.id().to_owned();
        stack.add_project(project).unwrap();
        let ada = stack
            .create_user_in(&pid, UserSpec::normal().email("ada@example.com"))
            .unwrap();
        let team = stack
            .create_team_in(&pid, TeamSpec::new("Engines").creator(&ada.id))
            .unwrap();
        let owner = match key_type {
            ApiKeyType::User => ApiKeySpec::user(&ada.id),
            ApiKeyType::Team => ApiKeySpec::team(&team.id),
        };
        let spec = owner
            .secret_part(SECRET)
            .key_id(KEY_ID)
            .description("CI key");
        let created = stack
            .create_api_key(spec.public(public).cloud(cloud))
            .unwrap();
        assert_eq!(created.key(), expected, "byte for byte");

        let api = ServerApi::builder_with_config(
            stack.config_builder_for(&pid).build().unwrap(),
            stack.secret_server_key_of(&pid).unwrap(),
        )
        .build()
        .unwrap();
        let before = checks(&stack);
        if public {
            // Refused without a request, unless public keys are accepted.
            let e = ApiKeys::new(&api).check(&expected).await.unwrap_err();
            assert_eq!(reason(&e), Some(RefusalReason::PublicApiKeyNotAllowed));
            assert_eq!(e.http_status(), 401);
            assert_eq!(checks(&stack), before);
        }
        let keys = ApiKeys::builder(&api)
            .accept_public_keys(true)
            .build()
            .unwrap();
        let good = keys.check(&expected).await.unwrap();
        assert_eq!(checks(&stack), before + 1);
        assert_eq!((good.key_id(), good.key_type()), (KEY_ID, key_type));
        assert_eq!((good.description(), good.is_public()), ("CI key", public));
        assert_eq!(good.last_four(), Some(&expected[expected.len() - 4..]));
        assert!(good.expires_at_millis().is_none());
        match good.owner() {
            ApiKeyOwner::User { user } => {
                assert_eq!(
                    (user.user_id(), user.email()),
                    (ada.id.as_str(), Some("ada@example.com"))
                );
                assert!(user.profile().is_some(), "the owner comes with the profile");
            }
            ApiKeyOwner::Team { team_id, .. } => assert_eq!(*team_id, team.id),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn strings_that_cannot_be_keys_and_keys_of_the_wrong_type_cost_nothing() {
    let stack = stand_in().await;
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id))
        .unwrap();
    let user_key = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    let team_key = stack.create_api_key(ApiKeySpec::team(&team.id)).unwrap();
    let keys = ApiKeys::new(&api(&stack));
    let tampered = {
        let k = user_key.key();
        let last = if k.ends_with('0') { '1' } else { '0' };
        format!("{}{last}", &k[..k.len() - 1])
    };
    let garbage = [
        String::new(),
        "sk_this_is_a_fake_api_key_123456789".to_owned(),
        "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln".to_owned(),
        user_key.key().replace("574ck4u7h", "574ck4u7x"),
        tampered,
        "x".repeat(10_000),
    ];
    for g in &garbage {
        let e = keys.check(g).await.unwrap_err();
        assert_eq!(
            reason(&e),
            Some(RefusalReason::ApiKeyMalformed),
            "{}",
            g.len()
        );
    }
    let e = keys.check_user_key(team_key.key()).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::WrongApiKeyType));
    let e = keys.check_team_key(user_key.key()).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::WrongApiKeyType));
    assert_eq!(checks(&stack), 0, "garbage and wrong types cost no request");
    assert_eq!(
        keys.check_user_key(user_key.key()).await.unwrap().key_id(),
        user_key.id()
    );
    assert_eq!(checks(&stack), 1);
}

#[tokio::test]
async fn every_error_of_the_check_endpoints() {
    let stack = stand_in().await;
    let ada = stack.create_user(UserSpec::normal()).unwrap();
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada.id))
        .unwrap();
    let keys = ApiKeys::new(&api(&stack));
    // API_KEY_NOT_FOUND: a well-formed key the project does not have.
    let absent =
        stack_auth_testkit::format_api_key(SECRET, KEY_ID, ApiKeyType::User, false, false).unwrap();
    let e = keys.check(&absent).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::ApiKeyNotFound));
    // API_KEY_REVOKED, for a key that is also expired.
    let revoked = stack
        .create_api_key(ApiKeySpec::user(&ada.id).expires_in(std::time::Duration::from_secs(1)))
        .unwrap();
    stack.revoke_api_key(revoked.id()).unwrap();
    let expired = stack
        .create_api_key(ApiKeySpec::team(&team.id).expires_in(std::time::Duration::from_secs(1)))
        .unwrap();
    stack.clock().advance(2);
    assert_eq!(
        reason(&keys.check(revoked.key()).await.unwrap_err()),
        Some(RefusalReason::ApiKeyRevoked)
    );
    // API_KEY_EXPIRED.
    let e = keys.check(expired.key()).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::ApiKeyExpired));
    assert_eq!(e.http_status(), 401);
    // WRONG_API_KEY_TYPE, as the server sends it (the client never routes a key there itself).
    let user_key = stack.create_api_key(ApiKeySpec::user(&ada.id)).unwrap();
    stack.inject(
        Route::UserApiKeyCheck,
        Fault::known_error(
            400,
            "WRONG_API_KEY_TYPE",
            "This endpoint is for user API keys, but a team API key was provided.",
        ),
    );
    let e = keys.check(user_key.key()).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::WrongApiKeyType));
    stack.clear_faults();
    // The feature gate: a plain-text 400, a misconfiguration naming the switch.
    stack.set_api_keys_enabled(false, false);
    let fresh = ApiKeys::new(&api(&stack));
    for key in [user_key.key(), expired.key()] {
        let e = fresh.check(key).await.unwrap_err();
        let VerifyError::Misconfigured(m) = &e else {
            panic!("{e:?}")
        };
        assert_eq!(m.kind(), MisconfigKind::FeatureDisabled);
        assert!(
            m.detail().unwrap().contains("not enabled for this project"),
            "{e}"
        );
        assert_eq!(e.http_status(), 500);
    }
}

#[tokio::test]
async fn a_user_keys_owner_must_exist_and_be_of_an_accepted_type() {
    let stack = stand_in().await;
    let guest = stack.create_user(UserSpec::anonymous()).unwrap();
    let key = stack.create_api_key(ApiKeySpec::user(&guest.id)).unwrap();
    let normal_only = ApiKeys::new(&api(&stack));
    let e = normal_only.check(key.key()).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::UserTypeNotAllowed));
    let all = ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .accepted_user_types(stack_auth_core::UserTypes::ALL)
        .build()
        .unwrap();
    let user = ApiKeys::new(&all).check(key.key()).await.unwrap();
    assert_eq!(user.user().unwrap().user_type(), UserType::Anonymous);
    // Deleting the user deletes their keys: the key is then unknown.
    stack.delete_user(&guest.id).unwrap();
    let e = ApiKeys::new(&all).check(key.key()).await.unwrap_err();
    assert_eq!(reason(&e), Some(RefusalReason::ApiKeyNotFound));
}
