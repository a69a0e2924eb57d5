//! `Teams` against the stand-in (PROTOCOL §10.3.5): a user's teams, oldest first; membership;
//! caching and evictions.

use stack_auth_core::{Evict, Eviction};
use stack_auth_rest::Teams;
use stack_auth_testkit::{Route, TeamSpec, UserSpec};

use crate::permissions::{api, world, World};

#[tokio::test]
async fn a_users_teams_oldest_first_cached_until_a_membership_changes() {
    let World {
        stack,
        ada,
        bob,
        team,
    } = world().await;
    let second = stack
        .create_team(TeamSpec::new("Second").creator(&ada))
        .unwrap();
    let teams = Teams::new(&api(&stack));
    let ids: Vec<String> = teams
        .teams_of(&ada)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(ids, [team.clone(), second.id.clone()]);
    assert!(teams.is_member(&ada, &second.id).await.unwrap());
    assert!(!teams.is_member(&bob, &second.id).await.unwrap());
    let asked = || stack.requests(Route::Teams);
    assert_eq!(asked(), 2, "one list per user");
    let outsider = stack.create_user(UserSpec::normal()).unwrap();
    assert!(teams.teams_of(&outsider.id).await.unwrap().is_empty());
    assert!(teams.teams_of("not-a-uuid").await.unwrap().is_empty());
    assert_eq!(asked(), 3);

    stack.add_team_member(&second.id, &bob).unwrap();
    assert!(!teams.is_member(&bob, &second.id).await.unwrap(), "cached");
    teams.evict(&Eviction::TeamMembership {
        team_id: second.id.clone(),
        user_id: bob.clone(),
    });
    assert!(teams.is_member(&bob, &second.id).await.unwrap());
    // A renamed team: the lists holding it go.
    stack
        .update_team(&second.id, |t| t.display_name = "Renamed".into())
        .unwrap();
    teams.evict(&Eviction::Team {
        team_id: second.id.clone(),
    });
    let names: Vec<String> = teams
        .teams_of(&ada)
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.display_name)
        .collect();
    assert_eq!(names, ["T", "Renamed"]);
    assert_eq!(
        asked(),
        5,
        "bob's list after he joined, ada's after the team changed"
    );
    // Bob's list held the team too.
    teams.teams_of(&bob).await.unwrap();
    assert_eq!(asked(), 6);
}
