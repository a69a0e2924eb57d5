//! `--help` documents every subcommand and flag, never shows a secret from the environment, and
//! usage errors exit with 2.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support::*;

/// A flag and its environment variable, when it has one.
type Flag = (&'static str, Option<&'static str>);

/// Every flag of every subcommand.
const FLAGS: [(&str, &[Flag]); 5] = [
    (
        "verify",
        &[
            ("--project-id", Some("STACK_PROJECT_ID")),
            ("--base-url", Some("STACK_API_URL")),
            ("--headers", None),
            ("--accept-issuer-origin", None),
            ("--strategy", None),
            ("--jwks-file", None),
            ("--secret-server-key", Some("STACK_SECRET_SERVER_KEY")),
            ("--allow-restricted", None),
            ("--allow-anonymous", None),
            ("--output", None),
            ("--timeout", None),
        ],
    ),
    ("inspect", &[("--output", None)]),
    (
        "jwks",
        &[
            ("--project-id", Some("STACK_PROJECT_ID")),
            ("--base-url", Some("STACK_API_URL")),
            ("--include", None),
            ("--output", None),
            ("--timeout", None),
        ],
    ),
    (
        "serve",
        &[
            ("--secret", Some("STACK_SERVER_SECRET")),
            ("--project", None),
            ("--secret-server-key", Some("STACK_SECRET_SERVER_KEY")),
            ("--user", None),
            ("--port", None),
        ],
    ),
    (
        "mint",
        &[
            ("--secret", Some("STACK_SERVER_SECRET")),
            ("--project", Some("STACK_PROJECT_ID")),
            ("--base-url", Some("STACK_API_URL")),
            ("--user", None),
            ("--type", None),
            ("--email", None),
            ("--exp", None),
        ],
    ),
];

fn help(args: &[&str]) -> String {
    let out = stack_auth()
        .args(args)
        .arg("--help")
        .env("STACK_SECRET_SERVER_KEY", "ssk_env_value_never_shown")
        .env("STACK_SERVER_SECRET", "server_secret_never_shown")
        .env("STACK_PROJECT_ID", "project-from-env")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{args:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// The help text of `flag`: its line and the deeper-indented lines after it (clap's long help puts
/// the description, possible values and env on their own lines).
fn flag_help<'a>(text: &'a str, flag: &str) -> Vec<&'a str> {
    let lines: Vec<&str> = text.lines().collect();
    let start = lines
        .iter()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(&format!("{flag} ")) || t == flag || t.starts_with(&format!("{flag}="))
        })
        .unwrap_or_else(|| panic!("{flag} is not in:\n{text}"));
    let indent = lines[start].len() - lines[start].trim_start().len();
    let mut out = vec![lines[start]];
    for line in &lines[start + 1..] {
        if line.trim().is_empty() {
            continue;
        }
        if line.len() - line.trim_start().len() <= indent {
            break;
        }
        out.push(line);
    }
    out
}

#[test]
fn every_flag_is_documented_with_its_environment_variable() {
    for (command, flags) in FLAGS {
        let text = help(&[command]);
        for (flag, env) in flags {
            let block = flag_help(&text, flag).join(" ");
            let words = block.split_whitespace().count();
            assert!(words >= 5, "{command} {flag} is barely documented: {block}");
            if let Some(env) = env {
                assert!(
                    block.contains(&format!("[env: {env}")),
                    "{command} {flag}: {block}"
                );
            }
        }
        assert!(text.contains("--help"), "{command}");
    }
}

#[test]
fn help_never_shows_a_secret_from_the_environment() {
    for (command, _) in FLAGS {
        let text = help(&[command]);
        assert!(
            !text.contains("ssk_env_value_never_shown"),
            "{command}:\n{text}"
        );
        assert!(
            !text.contains("server_secret_never_shown"),
            "{command}:\n{text}"
        );
    }
    // A non-secret value may be shown; that proves the check above looks at the right place.
    assert!(help(&["verify"]).contains("project-from-env"));
}

#[test]
fn hexclave_variables_are_documented_and_their_secrets_never_shown() {
    assert!(help(&[]).contains("HEXCLAVE_SECRET_SERVER_KEY"));
    for command in ["verify", "serve", "mint"] {
        let out = stack_auth()
            .args([command, "--help"])
            .env("HEXCLAVE_SECRET_SERVER_KEY", "ssk_hexclave_never_shown")
            .env("HEXCLAVE_SERVER_SECRET", "hexclave_secret_never_shown")
            .env("HEXCLAVE_PROJECT_ID", "hexclave-project-from-env")
            .output()
            .unwrap();
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(!text.contains("never_shown"), "{command}:\n{text}");
        // the flags read the Hexclave names now that they are set
        assert!(
            text.contains("[env: HEXCLAVE_SERVER_SECRET") || command == "verify",
            "{text}"
        );
        if command != "serve" {
            assert!(
                text.contains("hexclave-project-from-env"),
                "{command}:\n{text}"
            );
        }
    }
}

#[test]
fn top_level_help_lists_every_subcommand_and_the_exit_codes() {
    let text = help(&[]);
    for (command, _) in FLAGS {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{command} ")))
            .unwrap_or_else(|| panic!("{command} missing:\n{text}"));
        assert!(line.split_whitespace().count() >= 5, "{line}");
    }
    assert!(
        text.contains("0 accepted, 1 refused, 2 usage or configuration error"),
        "{text}"
    );
    assert!(help(&["verify"]).contains("{\"ok\":false,\"reason\",\"message\",\"source\"}"));
    assert!(help(&["inspect"]).contains("Nothing is fetched and nothing is verified"));
    assert!(help(&["serve"]).contains("the base URL on the first line"));
}

#[test]
fn usage_errors_exit_with_2() {
    for args in [
        &["verify", "tok"][..],
        &["verify", "tok", "--project-id", "p", "--strategy", "magic"],
        &["verify", "tok", "--project-id", "p", "--timeout", "forever"],
        &["jwks"],
        &["mint", "--project", "p"],
        &["serve", "--user", "u:superuser"],
        &["nonsense"],
    ] {
        stack_auth().args(args).assert().code(2);
    }
    stack_auth()
        .arg("--version")
        .assert()
        .code(0)
        .stdout(predicates::str::starts_with("stack-auth "));
}
