//! The quickstart: verify tokens of every user type, plus forged and expired ones, with each
//! strategy, against a local Stack Auth stand-in. No account, no network.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
#![allow(clippy::print_stdout)]

use std::{error::Error, fmt::Write};

use stack_auth::{
    composite::CompositeVerifier,
    jwks::JwksVerifier,
    rest::RestVerifier,
    testkit::{Breakage, LocalStackAuth, Route, UserSpec},
    RestrictedReason, TokenVerifier, UserType, VerifiedUser, VerifyError,
};

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    print!("{}", report().await?);
    Ok(())
}

/// Runs the whole tour and returns the report it prints.
async fn report() -> Result<String, Box<dyn Error>> {
    let mut out = String::new();
    let stack = LocalStackAuth::start().await?;
    writeln!(
        out,
        "Local Stack Auth stand-in at {} (project {})\n",
        stack.base_url(),
        stack.project_id()
    )?;

    let ada = stack.create_user(
        UserSpec::normal()
            .email("ada@example.com")
            .display_name("Ada Lovelace"),
    )?;
    let grace = stack.create_user(
        UserSpec::restricted(RestrictedReason::EmailNotVerified).email("grace@example.com"),
    )?;
    let guest = stack.create_user(UserSpec::anonymous())?;
    let tokens = [
        ("normal user", stack.mint(&ada)),
        ("restricted user", stack.mint(&grace)),
        ("anonymous user", stack.mint(&guest)),
        (
            "forged token",
            stack.token(&ada).broken(Breakage::WrongKey).mint(),
        ),
        (
            "expired token",
            stack.token(&ada).broken(Breakage::Expired).mint(),
        ),
    ];

    // Accept normal and restricted users; anonymous users are refused (after their signature holds).
    let config = stack
        .config_builder()
        .accept(UserType::Restricted)
        .build()?;
    let key = stack.secret_server_key();
    let strategies: [(&str, Box<dyn TokenVerifier>); 3] = [
        (
            "jwks",
            Box::new(JwksVerifier::builder_with_config(config.clone()).build()?),
        ),
        (
            "rest",
            Box::new(RestVerifier::builder_with_config(config.clone(), key.clone()).build()?),
        ),
        (
            "composite",
            Box::new(CompositeVerifier::from_config(config, key)?),
        ),
    ];

    for (name, verifier) in &strategies {
        stack.reset_counts();
        writeln!(out, "── {name} ──")?;
        for (label, token) in &tokens {
            writeln!(
                out,
                "  {label:<16} {}",
                describe(verifier.verify(token).await)
            )?;
        }
        writeln!(
            out,
            "  upstream requests: {} JWKS, {} users/me\n",
            stack.requests(Route::Jwks),
            stack.requests(Route::UsersMe)
        )?;
    }
    stack.shutdown().await;
    Ok(out)
}

fn describe(result: Result<VerifiedUser, VerifyError>) -> String {
    match result {
        Ok(user) => format!(
            "✔ {} {} ({}{}){}",
            user.user_id().get(..8).unwrap_or(user.user_id()),
            user.email().unwrap_or("no email"),
            user.user_type(),
            user.restricted_reason()
                .map(|r| format!(": {r}"))
                .unwrap_or_default(),
            if user.profile().is_some() {
                ", with profile"
            } else {
                ""
            },
        ),
        Err(e) => format!("✘ {} → HTTP {}", e.reason_label(), e.http_status()),
    }
}

#[cfg(test)]
mod tests {
    /// The report README's first command prints: each strategy's verdicts and upstream cost.
    #[tokio::test]
    async fn quickstart_report_shows_each_strategy() {
        let report = super::report().await.unwrap();
        let section = |name: &str| {
            let start = report.find(&format!("── {name} ──")).unwrap();
            let rest = &report[start..];
            let end = rest.find(" users/me").unwrap() + " users/me".len();
            rest[..end].to_owned()
        };
        let jwks = section("jwks");
        assert!(jwks.contains("normal user      ✔"), "{jwks}");
        assert!(jwks.contains("restricted: email_not_verified"), "{jwks}");
        assert!(
            jwks.contains("anonymous user   ✘ user_type_not_allowed → HTTP 403"),
            "{jwks}"
        );
        assert!(jwks.contains("forged token     ✘ bad_signature"), "{jwks}");
        assert!(jwks.contains("1 JWKS, 0 users/me"), "{jwks}");
        let rest = section("rest");
        assert!(
            rest.contains("with profile") && rest.contains("0 JWKS, 5 users/me"),
            "{rest}"
        );
        let composite = section("composite");
        // the forged token (real kid, wrong key) and the expired one never reach users/me: only
        // the two accepted users do
        assert!(composite.contains("1 JWKS, 2 users/me"), "{composite}");
        assert!(
            composite.contains("expired token    ✘ expired"),
            "{composite}"
        );
    }
}
