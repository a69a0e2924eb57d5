//! Where the server examples (`axum_server`, `actix_server`, `grpc_server`) verify tokens: your
//! project when `HEXCLAVE_PROJECT_ID` and `HEXCLAVE_SECRET_SERVER_KEY` are set, else a local
//! Stack Auth stand-in with one user and a token for them.

use std::{error::Error, sync::Arc};

use stack_auth_composite::{CompositeVerifier, ProfilePolicy};
use stack_auth_core::{SecretServerKey, StackAuthConfig, TokenVerifier};
use stack_auth_testkit::{LocalStackAuth, UserSpec};

/// What the examples' fallible steps return.
pub type BoxResult<T> = Result<T, Box<dyn Error + Send + Sync>>;

/// Where tokens are verified: your project when configured, else a local stand-in.
pub struct Backend {
    /// The verifier the server uses.
    pub verifier: Arc<dyn TokenVerifier>,
    /// The stand-in and a token of one of its users, when no project is configured.
    pub stand_in: Option<(LocalStackAuth, String)>,
}

impl Backend {
    /// Your project from the environment, else [`Backend::stand_in`].
    ///
    /// # Errors
    ///
    /// A configuration the verifier refuses, or a stand-in that cannot start.
    pub async fn from_env_or_stand_in() -> BoxResult<Backend> {
        match project_from_env()? {
            Some(backend) => Ok(backend),
            None => Backend::stand_in().await,
        }
    }

    /// A local Stack Auth stand-in with one user (Ada, in the team "Analytical Engines"), and a
    /// token for her.
    ///
    /// # Errors
    ///
    /// A stand-in that cannot start.
    pub async fn stand_in() -> BoxResult<Backend> {
        let stack = LocalStackAuth::start().await?;
        let ada = stack.create_user(
            UserSpec::normal()
                .email("ada@example.com")
                .display_name("Ada Lovelace")
                .team("Analytical Engines"),
        )?;
        let token = stack.mint(&ada);
        let verifier = on_demand(stack.config(), stack.secret_server_key())?;
        Ok(Backend {
            verifier,
            stand_in: Some((stack, token)),
        })
    }

    /// The stand-in's token, when there is a stand-in.
    pub fn token(&self) -> Option<String> {
        self.stand_in.as_ref().map(|(_, token)| token.clone())
    }

    /// Prints where tokens are verified, and `how_to_call` with the token when there is a
    /// stand-in.
    pub fn print_intro(&self, how_to_call: impl FnOnce(&str) -> String, otherwise: &str) {
        match &self.stand_in {
            Some((stack, token)) => {
                println!(
                    "No HEXCLAVE_PROJECT_ID/HEXCLAVE_SECRET_SERVER_KEY (or STACK_*): using a local \
                     Stack Auth stand-in at {}.",
                    stack.base_url()
                );
                println!("Try (the token is valid for 10 minutes):\n");
                println!("{}", how_to_call(token));
            }
            None => println!("{otherwise}"),
        }
    }
}

impl std::fmt::Debug for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Backend")
            .field(
                "stand_in",
                &self.stand_in.as_ref().map(|(stack, _)| stack.base_url()),
            )
            .finish_non_exhaustive()
    }
}

/// Checks JWTs locally on every request; asks REST only when a handler loads the profile.
fn on_demand(config: StackAuthConfig, key: SecretServerKey) -> BoxResult<Arc<dyn TokenVerifier>> {
    let verifier = CompositeVerifier::builder_with_config(config, key)
        .profile_policy(ProfilePolicy::OnDemand)
        .build()?;
    Ok(Arc::new(verifier))
}

/// `HEXCLAVE_<name>`, else `STACK_<name>` (empty counts as unset).
fn env(name: &str) -> Option<String> {
    ["HEXCLAVE_", "STACK_"].iter().find_map(|prefix| {
        std::env::var(format!("{prefix}{name}"))
            .ok()
            .filter(|v| !v.is_empty())
    })
}

/// Your project, from `HEXCLAVE_PROJECT_ID`, `HEXCLAVE_SECRET_SERVER_KEY` and `HEXCLAVE_API_URL`
/// (or their `STACK_` names).
fn project_from_env() -> BoxResult<Option<Backend>> {
    let (Some(project), Some(key)) = (env("PROJECT_ID"), env("SECRET_SERVER_KEY")) else {
        return Ok(None);
    };
    let mut config = StackAuthConfig::builder(project);
    if let Some(url) = env("API_URL") {
        config = config.base_url(url);
    }
    Ok(Some(Backend {
        verifier: on_demand(config.build()?, key.into())?,
        stand_in: None,
    }))
}

/// The port to listen on: `PORT`, else `default`; 0 (any free port) for a smoke test.
///
/// # Errors
///
/// A `PORT` that is not a port number.
pub fn port(smoke: bool, default: u16) -> BoxResult<u16> {
    if smoke {
        return Ok(0);
    }
    match std::env::var("PORT") {
        Ok(port) => Ok(port.parse()?),
        Err(_) => Ok(default),
    }
}

/// `Ok` if `got` is `want`, else an error naming `what`.
///
/// # Errors
///
/// When `got` differs from `want`.
pub fn expect<T: PartialEq + std::fmt::Debug>(got: T, want: T, what: &str) -> BoxResult<()> {
    if got == want {
        return Ok(());
    }
    Err(format!("{what}: expected {want:?}, got {got:?}").into())
}
