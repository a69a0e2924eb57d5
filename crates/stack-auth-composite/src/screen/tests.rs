use std::{collections::HashMap, sync::Arc, time::Duration};

use stack_auth_core::{test_util::ManualClock, StackAuthConfig, UserTypes};

use super::Screen;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures");

/// 2026-01-01T00:00:00Z: after the fixtures' expired tokens, before their valid ones.
const NOW: u64 = 1_767_225_600;

struct Case {
    base_url: String,
    token: String,
    project_id: String,
    allow: UserTypes,
    ok: bool,
    reason: Option<String>,
}

/// Every case of `fixtures/interop` and `fixtures/interop-brand` by name (the names differ),
/// each with the base URL its verifier is configured with.
fn cases() -> HashMap<String, Case> {
    let mut out = HashMap::new();
    for fixture in ["interop", "interop-brand"] {
        read_cases(fixture, &mut out);
    }
    out
}

fn read_cases(fixture: &str, out: &mut HashMap<String, Case>) {
    let fixture =
        stack_auth_testkit::InteropFixture::load(format!("{FIXTURES}/{fixture}")).unwrap();
    for c in fixture.cases() {
        let allow: UserTypes = serde_json::from_value(c["allow"].clone()).unwrap();
        let case = Case {
            base_url: c["base_url"].as_str().unwrap().to_owned(),
            token: c["token"].as_str().unwrap().to_owned(),
            project_id: c["project_id"].as_str().unwrap().to_owned(),
            allow,
            ok: c["expect"]["ok"].as_bool().unwrap(),
            reason: c["expect"]["reason"].as_str().map(str::to_owned),
        };
        let previous = out.insert(c["name"].as_str().unwrap().to_owned(), case);
        assert!(previous.is_none(), "two cases named {}", c["name"]);
    }
}

fn screen_at(config: Option<StackAuthConfig>, now: u64, leeway: u64) -> Screen {
    Screen {
        config,
        leeway: Duration::from_secs(leeway),
        clock: Arc::new(ManualClock::at_unix_secs(now)),
    }
}

fn screen_for(case: &Case) -> Screen {
    let config = StackAuthConfig::builder(&case.project_id)
        .base_url(&case.base_url)
        .accepted_user_types(case.allow)
        .build()
        .unwrap();
    screen_at(Some(config), NOW, 60)
}

#[test]
fn every_valid_fixture_passes_the_screen() {
    let cases = cases();
    let valid: Vec<_> = cases.iter().filter(|(_, c)| c.ok).collect();
    assert!(valid.len() >= 15);
    for (name, case) in valid {
        let claims = screen_for(case)
            .check(&case.token)
            .unwrap_or_else(|e| panic!("{name}: screened out: {e}"));
        assert_eq!(claims.project_id, case.project_id, "{name}");
    }
}

/// What the screen says about each refused fixture: `None` when only the signature can tell
/// (those go to REST when the JWT check cannot decide), else the refusal label.
#[test]
fn refused_fixtures_are_screened_out_unless_only_the_signature_tells() {
    let cases = cases();
    let only_signature_tells = [
        "tampered-payload",
        "flipped-signature-bit",
        "attacker-key-real-kid",
        "embedded-jwk-header",
        "jku-header",
        "unknown-kid",
    ];
    let mut screened_out = 0;
    for (name, case) in cases.iter().filter(|(_, c)| !c.ok) {
        let got = screen_for(case).check(&case.token);
        if only_signature_tells.contains(&name.as_str()) {
            assert!(got.is_ok(), "{name}: {got:?}");
            continue;
        }
        let label = got.expect_err(name).reason().as_str();
        let expected = match name.as_str() {
            // The JWT check names the key first; the screen has none and reads the audience.
            "token-of-other-project" => "wrong_audience",
            _ => case.reason.as_deref().unwrap(),
        };
        assert_eq!(label, expected, "{name}");
        screened_out += 1;
    }
    assert!(screened_out >= 32, "{screened_out}");
}

#[test]
fn without_a_config_only_the_shape_and_expiry_are_screened() {
    let cases = cases();
    let screen = screen_at(None, NOW, 60);
    assert!(screen.check(&cases["token-of-other-project"].token).is_ok());
    assert!(screen
        .check(&cases["restricted-user-not-allowed"].token)
        .is_ok());
    let expired = screen.check(&cases["expired"].token).unwrap_err();
    assert_eq!(expired.reason().as_str(), "expired");
    let none = screen.check(&cases["alg-none"].token).unwrap_err();
    assert_eq!(none.reason().as_str(), "unsupported_algorithm");
}

#[test]
fn expiry_uses_the_injected_clock_and_leeway() {
    let cases = cases();
    let token = &cases["normal-user"].token;
    let exp = u64::try_from(screen_at(None, NOW, 0).check(token).unwrap().exp).unwrap();
    // The shared boundary: expired once `now >= exp + leeway`.
    assert!(screen_at(None, exp - 1, 0).check(token).is_ok());
    assert!(screen_at(None, exp, 0).check(token).is_err());
    assert!(screen_at(None, exp + 59, 60).check(token).is_ok());
    assert!(screen_at(None, exp + 60, 60).check(token).is_err());
}

#[test]
fn debug_names_the_project() {
    let screen = screen_at(Some(StackAuthConfig::new("p1").unwrap()), NOW, 60);
    let shown = format!("{screen:?}");
    assert!(shown.contains("p1"), "{shown}");
}

/// The shared parser's rules: an empty `kid` is malformed; a `project_id` that disagrees with
/// this project's `aud` is `inconsistent_claims` (as in the JWT check), not `wrong_project`.
#[test]
fn the_shared_parser_rules() {
    use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
    let cases = cases();
    let case = &cases["normal-user"];
    let mut parts: Vec<String> = case.token.split('.').map(str::to_owned).collect();
    let screen = screen_for(case);
    let original = parts.clone();
    parts[0] = URL_SAFE_NO_PAD.encode(r#"{"alg":"ES256","kid":""}"#);
    let e = screen.check(&parts.join(".")).unwrap_err();
    assert_eq!(e.reason().as_str(), "malformed");
    let mut payload: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&original[1]).unwrap()).unwrap();
    payload["project_id"] = "another-project".into();
    let parts = [
        original[0].clone(),
        URL_SAFE_NO_PAD.encode(payload.to_string()),
        original[2].clone(),
    ];
    let e = screen.check(&parts.join(".")).unwrap_err();
    assert_eq!(e.reason().as_str(), "inconsistent_claims");
}
