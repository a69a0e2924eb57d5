//! `stack-auth api-key check` and `stack-auth permission check` against `stack-auth serve
//! --api-keys --team Engines`: every exit code and the JSON of each outcome.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Output;

use serde_json::Value;
use stack_auth_testkit::uuid_for_name;

use crate::support::*;

/// The stand-in with ada (team admin) and bob (member) of Engines, and their printed keys.
struct World {
    served: Served,
    project: String,
    team: String,
    /// `(key, type)` as `serve` printed them: ada's, bob's, the team's.
    keys: Vec<(String, String)>,
}

fn world(api_keys: bool) -> World {
    let mut args = vec!["--user", "ada", "--user", "bob", "--team", "Engines"];
    if api_keys {
        args.push("--api-keys");
    }
    let served = Served::start(&args);
    let project = served.keys.keys().next().unwrap().clone();
    let line = |prefix: &str| -> Vec<Vec<String>> {
        let rows = served.banner.iter().filter_map(|l| l.strip_prefix(prefix));
        rows.map(|l| l.split(' ').map(str::to_owned).collect())
            .collect()
    };
    let team = line("team ")[0][0].clone();
    let keys = line("api-key ")
        .into_iter()
        .map(|k| (k[0].clone(), k[1].clone()))
        .collect();
    World {
        served,
        project,
        team,
        keys,
    }
}

/// `stack-auth <args> --output json` against the world, the server key in the environment.
fn run(w: &World, args: &[&str]) -> (Option<i32>, Value, Output) {
    let out = stack_auth()
        .args(args)
        .args(["--output", "json", "--timeout", "2s"])
        .args(["--project-id", &w.project, "--base-url", &w.served.base_url])
        .env("HEXCLAVE_SECRET_SERVER_KEY", &w.served.keys[&w.project])
        .output()
        .unwrap();
    let json = stdout_json(&out);
    (out.status.code(), json, out)
}

#[test]
fn api_key_check_answers_with_every_exit_code() {
    let w = world(true);
    let (ada_key, team_key) = (&w.keys[0].0, &w.keys[2].0);
    let (code, got, out) = run(&w, &["api-key", "check", ada_key]);
    assert_eq!(code, Some(0), "{got}");
    assert_eq!(got["type"], "user");
    assert_eq!(got["user_id"], uuid_for_name("ada"));
    assert_eq!(got["user"]["profile"]["display_name"], "ada");
    assert!(
        !all_output(&out).contains(&ada_key[3..40]),
        "the key is never printed"
    );
    let (code, got, _) = run(&w, &["api-key", "check", team_key]);
    assert_eq!(
        (code, &got["team_id"]),
        (Some(0), &Value::String(w.team.clone()))
    );

    let last = if ada_key.ends_with('0') { '1' } else { '0' };
    let tampered = format!("{}{last}", &ada_key[..ada_key.len() - 1]);
    let unknown = "sk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cuser0574ck4u7hdbb7389e";
    let public = "pk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cuser2574ck4u7h730c43cd";
    let refusals: [(&[&str], &str); 5] = [
        (
            &["api-key", "check", "sk_this_is_a_fake_api_key_123456789"],
            "api_key_malformed",
        ),
        (&["api-key", "check", &tampered], "api_key_malformed"),
        (
            &["api-key", "check", "--type", "user", team_key],
            "wrong_api_key_type",
        ),
        (&["api-key", "check", unknown], "api_key_not_found"),
        (&["api-key", "check", public], "public_api_key_not_allowed"),
    ];
    for (args, reason) in refusals {
        let (code, got, _) = run(&w, args);
        assert_eq!(
            (code, got["ok"].clone(), got["reason"].clone()),
            (Some(1), Value::Bool(false), Value::from(reason)),
            "{got}"
        );
    }
    let (_, got, _) = run(&w, &["api-key", "check", "--accept-public", public]);
    assert_eq!(got["reason"], "api_key_not_found", "asked once accepted");
}

#[test]
fn api_key_check_reads_stdin_and_reports_misconfiguration_and_outages() {
    let w = world(false);
    let key = "sk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cuser0574ck4u7hdbb7389e";
    let out = stack_auth()
        .args(["api-key", "check", "-", "--output", "json"])
        .args(["--project-id", &w.project, "--base-url", &w.served.base_url])
        .env("STACK_SECRET_SERVER_KEY", &w.served.keys[&w.project])
        .write_stdin(format!("{key}\n"))
        .output()
        .unwrap();
    let got = stdout_json(&out);
    assert_eq!(out.status.code(), Some(2), "api keys are off: {got}");
    assert_eq!(
        (got["error"].as_str(), got["kind"].as_str()),
        (Some("misconfigured"), Some("feature_disabled"))
    );
    let (code, got, _) = run(
        &w,
        &["api-key", "check", key, "--secret-server-key", "ssk_wrong"],
    );
    assert_eq!(
        (code, got["kind"].as_str()),
        (Some(2), Some("invalid_secret_server_key"))
    );
    let out = stack_auth()
        .args([
            "api-key",
            "check",
            key,
            "--project-id",
            "p",
            "--secret-server-key",
            "ssk_x",
        ])
        .args(["--base-url", "http://127.0.0.1:9", "--timeout", "300ms"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", all_output(&out));
    let out = stack_auth()
        .args(["api-key", "check", key, "--project-id", "p"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "no secret server key");
}

#[test]
fn permission_check_by_user_id_or_token() {
    let w = world(true);
    let (ada, bob) = (uuid_for_name("ada"), uuid_for_name("bob"));
    let check = |who: &[&str], permission: &str, extra: &[&str]| {
        let mut args = vec!["permission", "check", permission, "--team", &w.team];
        args.extend_from_slice(who);
        args.extend_from_slice(extra);
        run(&w, &args)
    };
    let (code, got, _) = check(&["--user-id", &ada], "$update_team", &[]);
    assert_eq!(
        (code, got["granted"].as_bool()),
        (Some(0), Some(true)),
        "{got}"
    );
    let (code, got, _) = check(&["--user-id", &bob], "$update_team", &[]);
    assert_eq!((code, got["granted"].as_bool()), (Some(1), Some(false)));
    // team_member contains $read_members: held, but not directly.
    assert_eq!(check(&["--user-id", &bob], "$read_members", &[]).0, Some(0));
    assert_eq!(
        check(&["--user-id", &bob], "$read_members", &["--direct"]).0,
        Some(1)
    );
    let token = w.served.mint(&w.project, "ada", &[]);
    let (code, got, out) = check(&["--token", &token], "team_admin", &[]);
    assert_eq!(
        (code, got["granted"].as_bool()),
        (Some(0), Some(true)),
        "{got}"
    );
    assert!(!all_output(&out).contains(token.rsplit('.').next().unwrap()));
    let (code, got, _) = check(&["--token", "not-a-token"], "team_admin", &[]);
    assert_eq!((code, got["reason"].as_str()), (Some(1), Some("malformed")));
    let (code, got, _) = check(&["--user-id", &ada], "Team_Admin", &[]);
    assert_eq!(
        (code, got["error"].as_str()),
        (Some(2), Some("misconfigured")),
        "checked offline"
    );
    let (code, _, _) = run(
        &w,
        &[
            "permission",
            "check",
            "billing:read",
            "--project",
            "--user-id",
            &ada,
        ],
    );
    assert_eq!(code, Some(1), "no project permission held");
    let out = stack_auth()
        .args(["permission", "check", "x", "--project"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "--user-id or --token is required"
    );
}
