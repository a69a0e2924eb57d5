//! Credentials (access token or API key), the permission-denied rejection and the permission
//! check, without any framework.
#![allow(clippy::unwrap_used)]

use std::sync::{
    atomic::{AtomicUsize, Ordering},
    Arc,
};

use async_trait::async_trait;

use super::{
    tests::headers, CredentialAuth, Credentials, Principal, Rejection, RequestAuth,
    RequiredPermission, TeamSource,
};
use crate::{
    ApiKeyOwner, ApiKeyType, ApiKeyVerifier, PermissionChecker, PermissionScope, RefusalReason,
    TokenVerifier, Unavailable, UnavailableKind, Upstream, UserType, UserTypes, VerifiedApiKey,
    VerifiedUser, VerifyError,
};

/// A key of `kind` in the key format (the worked example's shape) with `prefix`.
fn key_with(prefix: &str, kind: &str) -> String {
    let checked = format!(
        "{prefix}_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140c{kind}1574ck4u7h"
    );
    format!("{checked}{:08x}", crc32fast::hash(checked.as_bytes()))
}

/// The user or team key the test verifier knows.
fn key(kind: &str) -> String {
    key_with("sk", kind)
}

/// Knows the user key (an anonymous user's when `anon`) and the team key; counts calls.
#[derive(Debug, Default)]
struct Keys {
    calls: AtomicUsize,
    anon: bool,
}

#[async_trait]
impl ApiKeyVerifier for Keys {
    async fn verify_api_key(&self, k: &str) -> Result<VerifiedApiKey, VerifyError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let kind = if self.anon {
            UserType::Anonymous
        } else {
            UserType::Normal
        };
        if k == key("user") {
            let user = VerifiedUser::new("u1", "p1", kind, None);
            Ok(VerifiedApiKey::new("k1", ApiKeyOwner::user(user)))
        } else if k == key("team") {
            Ok(VerifiedApiKey::new("k2", ApiKeyOwner::team("t1")))
        } else {
            Err(VerifyError::refused(RefusalReason::ApiKeyNotFound))
        }
    }
}

#[derive(Debug)]
struct Tokens;

#[async_trait]
impl TokenVerifier for Tokens {
    async fn verify(&self, _token: &str) -> Result<VerifiedUser, VerifyError> {
        Ok(VerifiedUser::new("u-token", "p1", UserType::Normal, None))
    }
}

fn auth(keys: &Arc<Keys>, accepted: Credentials) -> CredentialAuth {
    CredentialAuth::new(RequestAuth::new(Arc::new(Tokens)))
        .api_key_verifier(keys.clone())
        .accept(accepted)
}

#[tokio::test]
async fn api_keys_first_then_the_access_token_as_the_route_accepts() {
    let keys = Arc::new(Keys::default());
    let any = auth(&keys, Credentials::ANY);
    let both = headers(&[
        ("x-stack-api-key", &key("team")),
        ("authorization", "Bearer eyJ.a.b"),
    ]);
    let principal = any.authenticate(&both).await.unwrap().unwrap();
    assert_eq!(principal.team_id(), Some("t1"));
    assert!(principal.user().is_none());
    let bearer_key = headers(&[("authorization", &format!("Bearer {}", key("user")))]);
    let principal = any.authenticate(&bearer_key).await.unwrap().unwrap();
    assert_eq!(principal.user().unwrap().user_id(), "u1");
    assert_eq!(principal.api_key().unwrap().key_id(), "k1");
    let token = headers(&[("authorization", "Bearer eyJ.a.b")]);
    let principal = any.authenticate(&token).await.unwrap().unwrap();
    assert!(matches!(&principal, Principal::AccessToken(u) if u.user_id() == "u-token"));

    // The default accepts access tokens only: an API key header is not looked at.
    let tokens_only = CredentialAuth::new(RequestAuth::new(Arc::new(Tokens)));
    let only_key = headers(&[("x-stack-api-key", &key("team"))]);
    assert!(tokens_only.authenticate(&only_key).await.unwrap().is_none());
    // Keys only: an access token is no credential here.
    let keys_only = auth(&keys, Credentials::API_KEYS);
    assert!(keys_only.authenticate(&token).await.unwrap().is_none());
}

#[tokio::test]
async fn keys_refused_without_asking_the_verifier() {
    let keys = Arc::new(Keys::default());
    let users_only = auth(&keys, Credentials::api_keys_only(ApiKeyType::User));
    let cases = [
        (key("team"), "wrong_api_key_type"),
        ("sk_not_a_key".to_owned(), "api_key_malformed"),
    ];
    for (k, code) in cases {
        let r = users_only
            .authenticate(&headers(&[("x-hexclave-api-key", &k)]))
            .await
            .unwrap_err();
        assert_eq!((r.status(), r.code()), (401, code));
    }
    let twice = headers(&[
        ("x-stack-api-key", &key("user")),
        ("x-stack-api-key", &key("team")),
    ]);
    let r = users_only.authenticate(&twice).await.unwrap_err();
    assert_eq!((r.status(), r.code()), (400, "invalid_request"));
    assert!(r.api_key_extract_error().is_some());
    assert_eq!(keys.calls.load(Ordering::SeqCst), 0);
    let unknown = key_with("xk", "user");
    let r = users_only
        .authenticate(&headers(&[("x-stack-api-key", &unknown)]))
        .await
        .unwrap_err();
    assert_eq!(r.code(), "api_key_not_found");
    assert_eq!(keys.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn a_user_keys_owner_passes_the_routes_user_type_check() {
    let keys = Arc::new(Keys {
        anon: true,
        ..Keys::default()
    });
    let tokens = RequestAuth::new(Arc::new(Tokens)).require(UserTypes::NORMAL_ONLY);
    let auth = CredentialAuth::new(tokens)
        .api_key_verifier(keys)
        .accept(Credentials::ANY);
    let r = auth
        .authenticate(&headers(&[("x-stack-api-key", &key("user"))]))
        .await
        .unwrap_err();
    assert_eq!((r.status(), r.code()), (403, "user_type_not_allowed"));
    let no_verifier =
        CredentialAuth::new(RequestAuth::new(Arc::new(Tokens))).accept(Credentials::ANY);
    let r = no_verifier
        .authenticate(&headers(&[("x-stack-api-key", &key("user"))]))
        .await
        .unwrap_err();
    assert_eq!((r.status(), r.code()), (500, "misconfigured"));
}

#[test]
fn permission_denied_is_403_with_its_own_code() {
    let r = Rejection::permission_denied();
    assert!(r.is_permission_denied() && r.verify_error().is_none());
    assert_eq!((r.status(), r.code()), (403, "permission_denied"));
    assert_eq!(
        r.www_authenticate().as_deref(),
        Some(
            r#"Bearer error="insufficient_scope", error_description="you lack a permission this requires""#
        )
    );
    assert_eq!(
        r.json_body(),
        r#"{"error":"permission_denied","message":"you lack a permission this requires"}"#
    );
    assert_eq!(r.retry_after_secs(), None);
}

/// Grants `read` in team `t1` to `u1`, project-wide `audit` to `u1`; fails for user `down`.
#[derive(Debug)]
struct Grants;

#[async_trait]
impl PermissionChecker for Grants {
    async fn has_permission(
        &self,
        user: &str,
        scope: PermissionScope<'_>,
        id: &str,
    ) -> Result<bool, VerifyError> {
        if user == "down" {
            return Err(Unavailable::new(Upstream::Api, UnavailableKind::Timeout).into());
        }
        Ok(user == "u1"
            && match scope {
                PermissionScope::Team(team) => team == "t1" && id == "read",
                _ => id == "audit",
            })
    }
}

#[tokio::test]
async fn the_permission_check_names_its_team_and_denies_with_403() {
    let user =
        |id: &str| Principal::AccessToken(VerifiedUser::new(id, "p1", UserType::Normal, None));
    let from_path = RequiredPermission::team("read", TeamSource::PathParam("team_id".into()));
    assert!(from_path
        .check(&Grants, &user("u1"), Some("t1"))
        .await
        .is_ok());
    let status = |r: Result<(), Rejection>| r.map_err(|r| (r.status(), r.code()));
    assert_eq!(
        status(from_path.check(&Grants, &user("u1"), Some("t2")).await),
        Err((403, "permission_denied"))
    );
    assert_eq!(
        status(from_path.check(&Grants, &user("u1"), None).await),
        Err((500, "misconfigured"))
    );
    assert_eq!(
        status(from_path.check(&Grants, &user("down"), Some("t1")).await),
        Err((503, "unavailable"))
    );
    let team_key = Principal::ApiKey(VerifiedApiKey::new("k", ApiKeyOwner::team("t1")));
    assert_eq!(
        status(from_path.check(&Grants, &team_key, Some("t1")).await),
        Err((403, "permission_denied"))
    );
    let header = RequiredPermission::team("read", TeamSource::Header("x-team".into()));
    assert_eq!(
        status(header.check(&Grants, &user("u1"), None).await),
        Err((403, "permission_denied"))
    );
    let selected = RequiredPermission::team("read", TeamSource::SelectedTeam);
    assert_eq!(
        status(selected.check(&Grants, &user("u1"), None).await),
        Err((403, "permission_denied"))
    );
    let project = RequiredPermission::project("audit");
    assert!(project.check(&Grants, &user("u1"), None).await.is_ok());
}
