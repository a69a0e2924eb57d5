//! `Permissions` against the stand-in (PROTOCOL §10.3): containment and `recursive`, the
//! system permissions, project permissions, no existence checks, local id validation, the
//! `user_id=me` verify-and-check form, request counts, caching and evictions.

use std::time::Duration;

use stack_auth_core::{
    Evict, Eviction, MisconfigKind, PermissionChecker, PermissionScope, RefusalReason, VerifyError,
    TEAM_SYSTEM_PERMISSIONS,
};
use stack_auth_rest::{Permissions, ServerApi, DEFAULT_CACHE_TTL};
use stack_auth_testkit::{
    Breakage, LocalStackAuth, PermissionDefinition, ProjectSpec, Route, TeamSpec, UserSpec,
};

pub(crate) struct World {
    pub(crate) stack: LocalStackAuth,
    pub(crate) ada: String,
    pub(crate) bob: String,
    pub(crate) team: String,
}

/// Ada created the team (team_admin), Bob joined it (team_member); `editor` contains `viewer`
/// contains `$read_members`; `billing:admin` contains `billing:read`.
pub(crate) async fn world() -> World {
    let stack = LocalStackAuth::builder()
        .project(
            ProjectSpec::random()
                .permission(PermissionDefinition::team("editor").contains(["viewer"]))
                .permission(PermissionDefinition::team("viewer").contains(["$read_members"]))
                .permission(PermissionDefinition::project("billing:read"))
                .permission(
                    PermissionDefinition::project("billing:admin").contains(["billing:read"]),
                ),
        )
        .start()
        .await
        .unwrap();
    let ada = stack.create_user(UserSpec::normal()).unwrap().id;
    let bob = stack.create_user(UserSpec::normal()).unwrap().id;
    let team = stack
        .create_team(TeamSpec::new("T").creator(&ada).member(&bob))
        .unwrap()
        .id;
    World {
        stack,
        ada,
        bob,
        team,
    }
}

pub(crate) fn api(stack: &LocalStackAuth) -> ServerApi {
    ServerApi::builder_with_config(stack.config(), stack.secret_server_key())
        .build()
        .unwrap()
}

fn asked(stack: &LocalStackAuth) -> u64 {
    stack.requests(Route::TeamPermissions) + stack.requests(Route::ProjectPermissions)
}

fn misconfigured(e: &VerifyError) -> bool {
    matches!(e, VerifyError::Misconfigured(m) if m.kind() == MisconfigKind::InvalidRequest)
}

#[tokio::test]
async fn containment_recursive_lists_and_the_system_permissions() {
    let World {
        stack,
        ada,
        bob,
        team,
    } = world().await;
    let p = Permissions::new(&api(&stack));
    assert_eq!(
        p.list_team_permissions(&ada, &team, false).await.unwrap(),
        ["team_admin"]
    );
    let mut all = TEAM_SYSTEM_PERMISSIONS.map(str::to_owned).to_vec();
    all.sort();
    all.push("team_admin".into());
    assert_eq!(
        p.list_team_permissions(&ada, &team, true).await.unwrap(),
        all
    );
    for system in TEAM_SYSTEM_PERMISSIONS {
        assert!(
            p.has_team_permission(&ada, &team, system).await.unwrap(),
            "{system}"
        );
    }
    // Bob, a member: team_member contains $read_members and $invite_members only.
    assert!(p
        .has_team_permission(&bob, &team, "$read_members")
        .await
        .unwrap());
    assert!(!p
        .has_team_permission(&bob, &team, "$delete_team")
        .await
        .unwrap());
    // editor ⊃ viewer ⊃ $read_members, through two levels.
    stack.grant_team_permission(&team, &bob, "editor").unwrap();
    let p = Permissions::new(&api(&stack));
    assert!(p.has_team_permission(&bob, &team, "viewer").await.unwrap());
    let direct = p.list_team_permissions(&bob, &team, false).await.unwrap();
    assert_eq!(direct, ["editor", "team_member"]);
    // Project permissions, with containment; system ids never appear there.
    stack
        .grant_project_permission(&ada, "billing:admin")
        .unwrap();
    assert!(p
        .has_project_permission(&ada, "billing:read")
        .await
        .unwrap());
    assert!(!p
        .has_project_permission(&bob, "billing:read")
        .await
        .unwrap());
    let listed = p.list_project_permissions(&ada, true).await.unwrap();
    assert_eq!(listed, ["billing:admin", "billing:read"]);
    assert_eq!(
        p.list_project_permissions(&ada, false).await.unwrap(),
        ["billing:admin"]
    );
    let before = asked(&stack);
    assert!(!p
        .has_project_permission(&ada, "$read_members")
        .await
        .unwrap());
    assert_eq!(
        asked(&stack),
        before,
        "no request for a system id in the project"
    );
}

#[tokio::test]
async fn unknown_things_are_simply_not_held_and_bad_ids_cost_nothing() {
    let World {
        stack, ada, team, ..
    } = world().await;
    let p = Permissions::new(&api(&stack));
    let unknown = "9a1f0c52-6a7e-4c1b-9d38-2f6b1e7c4d10";
    let outsider = stack.create_user(UserSpec::normal()).unwrap().id;
    assert!(!p
        .has_team_permission(&ada, unknown, "team_admin")
        .await
        .unwrap());
    assert!(!p
        .has_team_permission(unknown, &team, "team_admin")
        .await
        .unwrap());
    assert!(!p
        .has_team_permission(&outsider, &team, "$read_members")
        .await
        .unwrap());
    assert!(!p
        .has_team_permission(&ada, &team, "never_defined")
        .await
        .unwrap());
    let before = asked(&stack);
    assert!(!p
        .has_team_permission(&ada, "not-a-uuid", "team_admin")
        .await
        .unwrap());
    assert!(!p
        .has_team_permission("me", &team, "team_admin")
        .await
        .unwrap());
    for bad in ["Team_Admin", "$nope", "", "read write", "$"] {
        let e = p.has_team_permission(&ada, &team, bad).await.unwrap_err();
        assert!(misconfigured(&e), "{bad}: {e:?}");
        let e = p.has_project_permission(&ada, bad).await.unwrap_err();
        assert!(misconfigured(&e), "{bad}: {e:?}");
    }
    assert_eq!(asked(&stack), before, "invalid ids never reach stack auth");
}

#[tokio::test(start_paused = true)]
async fn a_cached_permission_costs_nothing_until_the_ttl_or_an_eviction() {
    let World {
        stack,
        ada,
        bob,
        team,
    } = world().await;
    let p = Permissions::new(&api(&stack));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (p, bob, team) = (p.clone(), bob.clone(), team.clone());
            tokio::spawn(async move { p.has_team_permission(&bob, &team, "$read_members").await })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().unwrap());
    }
    assert_eq!(asked(&stack), 1, "one request for 100 concurrent checks");
    // Any permission of the same (user, team): from the one list.
    assert!(!p
        .has_team_permission(&bob, &team, "$delete_team")
        .await
        .unwrap());
    assert!(p
        .has_team_permission(&bob, &team, "$invite_members")
        .await
        .unwrap());
    assert_eq!(asked(&stack), 1, "a cached permission costs 0 requests");
    // Through the trait, as a framework guard asks.
    let checker: &dyn PermissionChecker = &p;
    let scope = PermissionScope::Team(&team);
    assert!(checker
        .has_permission(&bob, scope, "$read_members")
        .await
        .unwrap());
    assert_eq!(asked(&stack), 1);

    // Granted now: unseen until the ttl passes.
    stack.grant_team_permission(&team, &bob, "editor").unwrap();
    assert!(!p.has_team_permission(&bob, &team, "viewer").await.unwrap());
    tokio::time::advance(DEFAULT_CACHE_TTL).await;
    assert!(p.has_team_permission(&bob, &team, "viewer").await.unwrap());
    assert_eq!(asked(&stack), 2);
    // Revoked, and a webhook says so: seen at once, other lists kept.
    assert!(p
        .has_team_permission(&ada, &team, "team_admin")
        .await
        .unwrap());
    stack.revoke_team_permission(&team, &bob, "editor").unwrap();
    p.evict(&Eviction::TeamPermissions {
        team_id: team.clone(),
        user_id: bob.clone(),
    });
    assert!(!p.has_team_permission(&bob, &team, "viewer").await.unwrap());
    assert!(p
        .has_team_permission(&ada, &team, "team_admin")
        .await
        .unwrap());
    assert_eq!(asked(&stack), 4, "bob asked again, ada still cached");
    p.evict(&Eviction::Team {
        team_id: team.clone(),
    });
    p.has_team_permission(&ada, &team, "team_admin")
        .await
        .unwrap();
    assert_eq!(asked(&stack), 5);
    tokio::time::advance(Duration::from_secs(1)).await;
}

#[tokio::test]
async fn the_token_form_verifies_and_checks_in_one_request() {
    let World {
        stack,
        ada,
        bob,
        team,
    } = world().await;
    let p = Permissions::new(&api(&stack));
    let ada_user = stack.user(&ada).unwrap();
    let token = stack.mint(&ada_user);
    assert!(p
        .token_has_team_permission(&token, &team, "$update_team")
        .await
        .unwrap());
    assert_eq!(asked(&stack), 1);
    assert_eq!(stack.requests(Route::UsersMe), 0, "no users/me round trip");
    let bob_token = stack.mint(&stack.user(&bob).unwrap());
    assert!(!p
        .token_has_team_permission(&bob_token, &team, "$update_team")
        .await
        .unwrap());
    assert!(!p
        .token_has_project_permission(&bob_token, "billing:read")
        .await
        .unwrap());
    // Cached per token.
    p.token_has_team_permission(&token, &team, "$update_team")
        .await
        .unwrap();
    assert_eq!(asked(&stack), 3);
    // Token problems are refusals, as users/me gives them.
    let cases = [
        (
            stack.token(&ada_user).broken(Breakage::Expired).mint(),
            RefusalReason::Expired,
        ),
        (
            stack.token(&ada_user).broken(Breakage::WrongKey).mint(),
            RefusalReason::Unparsable,
        ),
    ];
    for (bad, why) in cases {
        let e = p
            .token_has_team_permission(&bad, &team, "team_admin")
            .await
            .unwrap_err();
        assert_eq!(e.refusal_reason(), Some(why));
    }
    let guest = stack.create_user(UserSpec::anonymous()).unwrap();
    let e = p
        .token_has_project_permission(&stack.mint(&guest), "billing:read")
        .await
        .unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::UserTypeNotAllowed));
    let gone = stack.create_user(UserSpec::normal()).unwrap();
    let gone_token = stack.mint(&gone);
    stack.delete_user(&gone.id).unwrap();
    let e = p
        .token_has_project_permission(&gone_token, "billing:read")
        .await
        .unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::UserNotFound));
    let before = asked(&stack);
    let e = p
        .token_has_team_permission("not a token", &team, "x")
        .await
        .unwrap_err();
    assert_eq!(e.refusal_reason(), Some(RefusalReason::Malformed));
    assert_eq!(asked(&stack), before, "refused locally");
}
