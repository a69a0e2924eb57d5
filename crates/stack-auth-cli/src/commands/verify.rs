//! `stack-auth verify`: verifies a token with one of the three strategies and says who it
//! belongs to, or exactly why it is refused.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use stack_auth_composite::CompositeVerifier;
use stack_auth_core::{ConfigError, StackAuthConfig, TokenVerifier};
use stack_auth_jwks::JwksVerifier;
use stack_auth_rest::RestVerifier;

use super::{server_args::ServerArgs, verify_input, verify_report};
use crate::outcome::{Exit, Failure};
use crate::output::report_failure;

/// Arguments of `stack-auth verify`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 accepted, 1 refused, 2 usage or configuration error \
                        (including a secret server key Stack Auth rejects), 3 upstream \
                        unavailable.\n\
                        With --output json, standard output is one JSON object: \
                        {\"ok\":true,\"user_id\",\"project_id\",\"user_type\",\
                        \"restricted_reason\",\"email\",\"issued_by\",\"source\",\"claims\",\
                        \"profile\"} when accepted, \
                        {\"ok\":false,\"reason\",\"message\",\"source\"} when refused, \
                        {\"ok\":false,\"error\",\"message\",..} otherwise. `source` says where \
                        --headers found the token (null for a token given directly); a request \
                        without one is refused as missing_token, one with an unreadable, \
                        repeated or conflicting token header as invalid_request."
)]
pub(crate) struct VerifyArgs {
    /// The access token; read from standard input when omitted or `-`.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,

    /// Instead of a token, a whole HTTP request's headers (`-`: standard input): `Name: value`
    /// lines, a request line and a body ignored. The token is taken from them as the SDK takes
    /// it on a server (x-hexclave-access-token / x-stack-access-token, Authorization: Bearer
    /// with the official client's stackauth_ auth JSON or a bare token, x-stack-auth, the
    /// hexclave-access then stack-access cookie), and the answer says which one it used.
    #[arg(long, value_name = "FILE", conflicts_with = "token")]
    headers: Option<PathBuf>,

    /// Also accept tokens issued under this origin (repeatable), e.g. a self-hosted deployment's
    /// old domain. The hosted service's two brands (api.stack-auth.com and api.hexclave.com)
    /// accept each other's tokens without it.
    #[arg(long = "accept-issuer-origin", value_name = "URL")]
    accept_issuer_origins: Vec<String>,

    /// How to verify.
    #[arg(long, value_enum, default_value_t = Strategy::Jwt)]
    strategy: Strategy,

    /// For the jwt and composite strategies: check signatures against this JWKS document
    /// instead of fetching the project's key set (no network for the JWT check).
    #[arg(long, value_name = "PATH")]
    jwks_file: Option<PathBuf>,

    #[command(flatten)]
    server: ServerArgs,
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

/// Runs `stack-auth verify`.
pub(crate) async fn run(args: VerifyArgs) -> Exit {
    let verifier = match build_verifier(&args) {
        Ok(verifier) => verifier,
        Err(failure) => return report_failure(args.server.output, &failure),
    };
    let input = match verify_input::read(args.token.as_deref(), args.headers.as_deref()) {
        Ok(input) => input,
        Err(no_input) => return verify_input::report(args.server.output, &no_input),
    };
    let result = verifier.verify(&input.token).await;
    verify_report::report(args.server.output, args.strategy, &input, &result)
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
            Box::new(CompositeVerifier::builder_from_verifiers(jwt, rest).build()?)
        }
    })
}

fn config(args: &VerifyArgs) -> Result<StackAuthConfig, Failure> {
    let builder = StackAuthConfig::builder(args.server.project_id.clone())
        .base_url(args.server.base_url.clone())
        .accepted_user_types(args.server.accepted());
    let builder = args
        .accept_issuer_origins
        .iter()
        .fold(builder, |b, origin| b.accept_issuer_origin(origin.clone()));
    Ok(builder.build()?)
}

fn jwt_verifier(args: &VerifyArgs, config: StackAuthConfig) -> Result<JwksVerifier, Failure> {
    let builder = JwksVerifier::builder_with_config(config)
        .timeout(args.server.timeout)
        .connect_timeout(args.server.timeout);
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
    let Some(key) = args.server.secret_server_key.clone() else {
        return Err(Failure::config(format!(
            "the {} strategy needs --secret-server-key (or HEXCLAVE_SECRET_SERVER_KEY or \
             STACK_SECRET_SERVER_KEY)",
            args.strategy.label()
        )));
    };
    Ok(RestVerifier::builder_with_config(config, key)
        .timeout(args.server.timeout)
        .connect_timeout(args.server.timeout)
        .build()?)
}
