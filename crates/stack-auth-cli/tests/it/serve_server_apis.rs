//! `stack-auth serve --api-keys --team NAME --webhook-url URL`: the printed keys check on the
//! stand-in, the team has its first user as admin, and each project's webhook secret is
//! printed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::{json, Value};
use stack_auth_testkit::uuid_for_name;

use crate::support::Served;

/// POST or GET on the served stand-in with the project's server key.
fn call(
    served: &Served,
    project: &str,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, String) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let client = reqwest::Client::new();
        let url = format!("{}{path}", served.base_url);
        let mut req = match method {
            "POST" => client.post(url),
            _ => client.get(url),
        };
        req = req
            .header("x-stack-access-type", "server")
            .header("x-stack-project-id", project)
            .header("x-stack-secret-server-key", served.keys[project].as_str());
        if let Some(body) = body {
            req = req
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let res = req.send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    })
}

#[test]
fn serve_creates_a_team_api_keys_and_prints_the_webhook_secret() {
    let served = Served::start(&[
        "--user",
        "ada",
        "--user",
        "bob",
        "--user",
        "guest:anonymous",
        "--team",
        "Engines",
        "--api-keys",
        "--webhook-url",
        "http://127.0.0.1:9/hooks",
    ]);
    let (project, _) = served.keys.iter().next().unwrap();
    let line = |prefix: &str| -> Vec<Vec<String>> {
        served
            .banner
            .iter()
            .filter_map(|l| l.strip_prefix(prefix))
            .map(|l| l.split(' ').map(str::to_owned).collect())
            .collect()
    };
    let team = line("team ");
    assert_eq!(team.len(), 1, "{:?}", served.banner);
    let (team_id, team_name) = (&team[0][0], &team[0][1]);
    assert_eq!(team_name, "Engines");
    let keys = line("api-key ");
    let owners: Vec<(&str, &str)> = keys
        .iter()
        .map(|k| (k[1].as_str(), k[2].as_str()))
        .collect();
    let (ada, bob) = (uuid_for_name("ada"), uuid_for_name("bob"));
    assert_eq!(
        owners,
        [
            ("user", ada.as_str()),
            ("user", bob.as_str()),
            ("team", team_id.as_str())
        ],
        "none for the anonymous user"
    );
    // the printed user key checks, and names its user
    let (status, body) = call(
        &served,
        project,
        "POST",
        "/api/v1/user-api-keys/check",
        Some(json!({"api_key": keys[0][0]})),
    );
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).unwrap()["user_id"],
        ada.as_str()
    );
    let (status, _) = call(
        &served,
        project,
        "POST",
        "/api/v1/team-api-keys/check",
        Some(json!({"api_key": keys[2][0]})),
    );
    assert_eq!(status, 200);
    // ada created the team (team_admin), the others joined it (team_member)
    let (_, body) = call(
        &served,
        project,
        "GET",
        &format!("/api/v1/team-permissions?team_id={team_id}"),
        None,
    );
    let items = serde_json::from_str::<Value>(&body).unwrap()["items"].clone();
    assert_eq!(
        items.as_array().unwrap().len(),
        3,
        "ada, bob and the guest: {items}"
    );
    assert!(items
        .as_array()
        .unwrap()
        .contains(&json!({"id": "team_admin", "user_id": ada, "team_id": team_id})));
    assert!(items
        .as_array()
        .unwrap()
        .contains(&json!({"id": "team_member", "user_id": bob, "team_id": team_id})));
    let secrets = line("webhook-secret ");
    assert_eq!(secrets.len(), 1);
    assert_eq!(&secrets[0][0], project);
    assert!(secrets[0][1].starts_with("whsec_"));
}

#[test]
fn without_api_keys_the_check_is_the_real_plain_text_400() {
    let served = Served::start(&["--user", "ada"]);
    let (project, _) = served.keys.iter().next().unwrap();
    assert!(served
        .banner
        .iter()
        .all(|l| !l.starts_with("api-key ") && !l.starts_with("team ")));
    let (status, body) = call(
        &served,
        project,
        "POST",
        "/api/v1/user-api-keys/check",
        Some(json!({"api_key": "sk_x"})),
    );
    assert_eq!(
        (status, body.as_str()),
        (400, "User API keys are not enabled for this project.")
    );
}
