//! [`StandInControl`]: the HTTP benchmark's stand-in, driven by one-line commands (the
//! `http_stand_in` binary reads them on stdin), to rotate its keys and slow its JWKS while the
//! servers are under load.

use std::time::Duration;

use serde_json::{json, Value};
use stack_auth_core::ServerUser;
use stack_auth_testkit::{random_secret, Fault, LocalStackAuth, Route, UserSpec};

use crate::{BenchError, HttpSetup, TOKEN_LIFETIME};

/// A command of the control protocol, one per line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `switch-signing-key`: sign with the project's other published key (what upstream's
    /// planned flip to the new-scheme key does; both keys stay in the JWKS).
    SwitchSigningKey,
    /// `replace-keys`: a new server secret, so every key (and `kid`) is new and the old ones
    /// leave the JWKS.
    ReplaceKeys,
    /// `slow-jwks <ms>`: the JWKS route answers this many milliseconds late, until `calm`.
    SlowJwks(Duration),
    /// `calm`: no injected fault any more.
    Calm,
    /// `counts`: JWKS and users/me requests answered so far.
    Counts,
}

impl std::str::FromStr for Command {
    type Err = BenchError;

    fn from_str(line: &str) -> Result<Command, BenchError> {
        let mut words = line.split_whitespace();
        let command = match (words.next(), words.next()) {
            (Some("switch-signing-key"), None) => Command::SwitchSigningKey,
            (Some("replace-keys"), None) => Command::ReplaceKeys,
            (Some("slow-jwks"), Some(ms)) => Command::SlowJwks(Duration::from_millis(ms.parse()?)),
            (Some("calm"), None) => Command::Calm,
            (Some("counts"), None) => Command::Counts,
            _ => return Err(format!("unknown command {line:?}").into()),
        };
        if words.next().is_some() {
            return Err(format!("unexpected words after {line:?}").into());
        }
        Ok(command)
    }
}

/// The stand-in and the users whose tokens the load generator sends.
#[derive(Debug)]
pub struct StandInControl {
    stack: LocalStackAuth,
    users: Vec<ServerUser>,
}

impl StandInControl {
    /// Starts the stand-in on the current tokio runtime with `users` stored users.
    ///
    /// # Errors
    ///
    /// When no local port can be bound or a user cannot be created.
    pub async fn start(users: usize) -> Result<StandInControl, BenchError> {
        let stack = LocalStackAuth::builder()
            .token_lifetime(TOKEN_LIFETIME)
            .start()
            .await?;
        let users = (0..users)
            .map(|_| stack.create_user(UserSpec::normal()))
            .collect::<Result<_, _>>()?;
        Ok(StandInControl { stack, users })
    }

    /// One valid token per user, signed with the current signing key.
    pub fn tokens(&self) -> Vec<String> {
        self.users.iter().map(|u| self.stack.mint(u)).collect()
    }

    /// What the servers need to know.
    pub fn setup(&self) -> HttpSetup {
        let minter = self.stack.minter();
        HttpSetup {
            base_url: self.stack.base_url().to_owned(),
            project_id: self.stack.project_id().to_owned(),
            jwks_url: self.stack.jwks_url(),
            jwks_json: minter.jwks_json(stack_auth_core::UserTypes::ALL),
            secret_server_key: self.stack.secret_server_key().expose().to_owned(),
            tokens: self.tokens(),
        }
    }

    /// Carries out `command`; the answer is one JSON object (`tokens` after a key change).
    ///
    /// # Errors
    ///
    /// When the new server secret is refused (it is not).
    pub fn run(&self, command: &Command) -> Result<Value, BenchError> {
        let answer = match command {
            Command::SwitchSigningKey => {
                let scheme = self.stack.signing_scheme().other();
                self.stack.set_signing_scheme(scheme);
                json!({ "tokens": self.tokens() })
            }
            Command::ReplaceKeys => {
                self.stack.rotate_secret(random_secret())?;
                json!({ "tokens": self.tokens() })
            }
            Command::SlowJwks(delay) => {
                self.stack.inject(Route::Jwks, Fault::Latency(*delay));
                json!({ "ok": true })
            }
            Command::Calm => {
                self.stack.clear_faults();
                json!({ "ok": true })
            }
            Command::Counts => json!({
                "jwks": self.stack.requests(Route::Jwks),
                "users_me": self.stack.requests(Route::UsersMe),
            }),
        };
        Ok(answer)
    }
}

#[cfg(test)]
mod tests {
    use stack_auth_core::TokenVerifier;
    use stack_auth_jwks::JwksVerifier;

    use super::*;

    #[test]
    fn parses_commands_and_refuses_others() {
        let parse = |s: &str| s.parse::<Command>();
        assert_eq!(parse("calm").unwrap(), Command::Calm);
        assert_eq!(
            parse(" slow-jwks 2500 ").unwrap(),
            Command::SlowJwks(Duration::from_millis(2500))
        );
        assert_eq!(
            parse("switch-signing-key").unwrap(),
            Command::SwitchSigningKey
        );
        for bad in ["", "slow-jwks", "slow-jwks soon", "calm now", "reboot"] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn key_changes_give_tokens_of_new_kids_that_verify() {
        let control = StandInControl::start(2).await.unwrap();
        let setup = control.setup();
        let kid = |t: &str| jsonwebtoken::decode_header(t).unwrap().kid.unwrap();
        let verifier = JwksVerifier::builder_with_config(setup.config().unwrap())
            .build()
            .unwrap();
        let before = kid(&setup.tokens[0]);
        let switched = control.run(&Command::SwitchSigningKey).unwrap();
        let switched: Vec<String> = serde_json::from_value(switched["tokens"].clone()).unwrap();
        assert_eq!(switched.len(), 2);
        assert_ne!(kid(&switched[0]), before);
        assert!(setup.jwks_json.contains(&kid(&switched[0])));
        verifier.verify(&switched[1]).await.unwrap();
        let replaced = control.run(&Command::ReplaceKeys).unwrap();
        let replaced = replaced["tokens"][0].as_str().unwrap();
        assert!(!setup.jwks_json.contains(&kid(replaced)));
        verifier.verify(replaced).await.unwrap();
        assert!(verifier.verify(&setup.tokens[0]).await.is_err());
    }

    #[tokio::test]
    async fn slows_the_jwks_until_calm_and_counts_requests() {
        let control = StandInControl::start(1).await.unwrap();
        let config = control.setup().config().unwrap();
        let fetch = || async {
            let verifier = JwksVerifier::builder_with_config(config.clone())
                .build()
                .unwrap();
            verifier.prefetch().await.unwrap();
        };
        control
            .run(&Command::SlowJwks(Duration::from_millis(1)))
            .unwrap();
        fetch().await;
        control.run(&Command::Calm).unwrap();
        fetch().await;
        let faults: Vec<_> = control
            .stack
            .request_log()
            .into_iter()
            .map(|r| r.fault)
            .collect();
        assert_eq!(faults, [Some("latency 1ms".to_owned()), None]);
        let counts = control.run(&Command::Counts).unwrap();
        assert_eq!(
            (counts["jwks"].as_u64(), counts["users_me"].as_u64()),
            (Some(2), Some(0))
        );
    }
}
