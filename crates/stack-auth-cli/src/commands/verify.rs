//! `stack-auth verify`: verifies a token with one of the three strategies and says who it
//! belongs to, or exactly why it is refused.

use std::convert::Infallible;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, ValueEnum};
use stack_auth_composite::CompositeVerifier;
use stack_auth_core::{
    ConfigError, SecretServerKey, StackAuthConfig, TokenVerifier, UserType, UserTypes,
    DEFAULT_BASE_URL,
};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::RestVerifier;

use super::verify_report;
use crate::outcome::{Exit, Failure};
use crate::output::{report_failure, OutputFormat};
use crate::token_input::read_token;

/// Arguments of `stack-auth verify`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 accepted, 1 refused, 2 usage or configuration error \
                        (including a secret server key Stack Auth rejects), 3 upstream \
                        unavailable.\n\
                        With --output json, standard output is one JSON object: \
                        {\"ok\":true,\"user_id\",\"project_id\",\"user_type\",\
                        \"restricted_reason\",\"email\",\"claims\",\"profile\"} when accepted, \
                        {\"ok\":false,\"reason\",\"message\"} when refused, \
                        {\"ok\":false,\"error\",\"message\",..} otherwise."
)]
pub(crate) struct VerifyArgs {
    /// The access token; read from standard input when omitted or `-`.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,

    /// The project the token must belong to.
    #[arg(long, env = "STACK_PROJECT_ID", value_name = "ID")]
    project_id: String,

    /// The Stack Auth API base URL: the hosted service, a self-hosted deployment, or what
    /// `stack-auth serve` printed.
    #[arg(long, env = "STACK_API_URL", default_value = DEFAULT_BASE_URL, value_name = "URL")]
    base_url: String,

    /// How to verify.
    #[arg(long, value_enum, default_value_t = Strategy::Jwt)]
    strategy: Strategy,

    /// For the jwt and composite strategies: check signatures against this JWKS document
    /// instead of fetching the project's key set (no network for the JWT check).
    #[arg(long, value_name = "PATH")]
    jwks_file: Option<PathBuf>,

    /// The project's secret server key (`ssk_…`), needed by the rest and composite strategies.
    /// It is never printed.
    #[arg(
        long,
        env = "STACK_SECRET_SERVER_KEY",
        hide_env_values = true,
        allow_hyphen_values = true,
        value_name = "KEY",
        value_parser = secret_server_key
    )]
    secret_server_key: Option<SecretServerKey>,

    /// Also accept restricted users (e.g. whose email is not verified).
    #[arg(long)]
    allow_restricted: bool,

    /// Also accept anonymous users; implies --allow-restricted (anonymous users are
    /// restricted users).
    #[arg(long)]
    allow_anonymous: bool,

    /// How to print the answer.
    #[arg(long, value_enum, default_value_t)]
    output: OutputFormat,

    /// How long fetching keys or asking Stack Auth may take, e.g. `5s` or `500ms`.
    #[arg(long, default_value = "5s", value_name = "DURATION", value_parser = humantime::parse_duration)]
    timeout: Duration,
}

/// The verification strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Strategy {
    /// Check the signature and claims locally against the project's JWKS.
    Jwt,
    /// Ask Stack Auth's users/me with the secret server key: current profile, revocation.
    Rest,
    /// The jwt check first, then users/me for the profile (tokens the jwt check refuses never
    /// reach Stack Auth; an unknown key id is asked of it within a budget of 5 per minute).
    Composite,
}

impl Strategy {
    /// The value name on the command line.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Strategy::Jwt => "jwt",
            Strategy::Rest => "rest",
            Strategy::Composite => "composite",
        }
    }
}

fn secret_server_key(s: &str) -> Result<SecretServerKey, Infallible> {
    Ok(SecretServerKey::new(s))
}

/// Runs `stack-auth verify`.
pub(crate) async fn run(args: VerifyArgs) -> Exit {
    let prepared = build_verifier(&args).and_then(|v| Ok((v, read_token(args.token.as_deref())?)));
    let (verifier, token) = match prepared {
        Ok(ready) => ready,
        Err(failure) => return report_failure(args.output, &failure),
    };
    let result = verifier.verify(&token).await;
    verify_report::report(args.output, args.strategy, &token, &result)
}

fn build_verifier(args: &VerifyArgs) -> Result<Box<dyn TokenVerifier>, Failure> {
    let config = config(args)?;
    Ok(match args.strategy {
        Strategy::Jwt => Box::new(jwt_verifier(args, config)?),
        Strategy::Rest => {
            if args.jwks_file.is_some() {
                return Err(Failure::config(
                    "--jwks-file applies to the jwt and composite strategies only",
                ));
            }
            Box::new(rest_verifier(args, config)?)
        }
        Strategy::Composite => {
            let jwt = jwt_verifier(args, config.clone())?;
            let rest = rest_verifier(args, config)?;
            Box::new(CompositeVerifier::builder_from_verifiers(jwt, rest)?.build()?)
        }
    })
}

fn config(args: &VerifyArgs) -> Result<StackAuthConfig, Failure> {
    let mut accepted = UserTypes::NORMAL_ONLY;
    if args.allow_restricted || args.allow_anonymous {
        accepted = accepted.with(UserType::Restricted);
    }
    if args.allow_anonymous {
        accepted = accepted.with(UserType::Anonymous);
    }
    Ok(StackAuthConfig::builder(args.project_id.clone())
        .base_url(args.base_url.clone())
        .accepted_user_types(accepted)
        .build()?)
}

fn jwt_verifier(args: &VerifyArgs, config: StackAuthConfig) -> Result<JwksVerifier, Failure> {
    let builder = JwksVerifier::builder_with_config(config)
        .timeout(args.timeout)
        .connect_timeout(args.timeout);
    if let Some(path) = &args.jwks_file {
        let document = std::fs::read_to_string(path).map_err(|e| {
            Failure::config(format!("cannot read the JWKS file {}: {e}", path.display()))
        })?;
        return builder.static_jwks(document).build().map_err(|e| match e {
            ConfigError::Invalid {
                field: "static_jwks",
                reason,
            } => Failure::config(format!(
                "the JWKS file {} is not usable: {reason}",
                path.display()
            )),
            other => other.into(),
        });
    }
    Ok(builder.build()?)
}

fn rest_verifier(args: &VerifyArgs, config: StackAuthConfig) -> Result<RestVerifier, Failure> {
    let Some(key) = args.secret_server_key.clone() else {
        return Err(Failure::config(format!(
            "the {} strategy needs --secret-server-key (or STACK_SECRET_SERVER_KEY)",
            args.strategy.label()
        )));
    };
    Ok(RestVerifier::builder_with_config(config, key)
        .deadline(args.timeout)
        .connect_timeout(args.timeout)
        .build()?)
}
