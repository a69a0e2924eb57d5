//! `stack-auth api-key check`: whether an API key is good and whose it is, or exactly why it is
//! refused, as a server using `stack_auth_rest::ApiKeys` would decide.

use clap::{Args, Subcommand, ValueEnum};
use serde_json::{json, Value};
use stack_auth_core::{ApiKeyType, VerifiedApiKey, VerifyError};
use stack_auth_rest::ApiKeys;

use super::server_args::{report_refusal, ServerArgs};
use crate::humanize;
use crate::outcome::{Exit, Failure};
use crate::output::{print_json, print_text, report_failure, OutputFormat};
use crate::token_input::read_token;

/// `stack-auth api-key <COMMAND>`.
#[derive(Debug, Subcommand)]
pub(crate) enum ApiKeyCommand {
    /// Check an API key: whose it is, or exactly why it is refused.
    Check(CheckArgs),
}

/// Arguments of `stack-auth api-key check`.
#[derive(Debug, Args)]
#[command(
    after_help = "Exit codes: 0 good, 1 refused (malformed, unknown, revoked, expired, of the \
                        wrong type, public), 2 usage or configuration error (including API keys \
                        not enabled for the project, or a secret server key Stack Auth rejects), \
                        3 Stack Auth unavailable.\n\
                        A malformed key, a key of the wrong --type and a public key without \
                        --accept-public are refused offline, without a request.\n\
                        With --output json, standard output is one JSON object: \
                        {\"ok\":true,\"key_id\",\"type\",\"user_id\",\"team_id\",\"description\",\
                        \"is_public\",\"created_at_millis\",\"expires_at_millis\",\"last_four\",\
                        \"user\"} when good, {\"ok\":false,\"reason\",\"message\"} when refused, \
                        {\"ok\":false,\"error\",\"message\",..} otherwise."
)]
pub(crate) struct CheckArgs {
    /// The API key (`sk_…`); read from standard input when omitted or `-`. It is never printed.
    #[arg(value_name = "KEY")]
    key: Option<String>,

    /// Only accept keys of this type (a key of the other type is refused without a request).
    #[arg(long = "type", value_enum)]
    key_type: Option<KeyType>,

    /// Also accept public (`pk_…`) keys.
    #[arg(long)]
    accept_public: bool,

    #[command(flatten)]
    server: ServerArgs,
}

/// The key types, on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum KeyType {
    /// A user's key.
    User,
    /// A team's key.
    Team,
}

/// Runs `stack-auth api-key <COMMAND>`.
pub(crate) async fn run(command: ApiKeyCommand) -> Exit {
    let ApiKeyCommand::Check(args) = command;
    let format = args.server.output;
    let keys = match args.server.api() {
        Ok(api) => ApiKeys::builder(&api)
            .accept_public_keys(args.accept_public)
            .disable_cache()
            .build()
            .map_err(Failure::from),
        Err(failure) => Err(failure),
    };
    let key = keys.and_then(|keys| Ok((keys, read_token(args.key.as_deref())?)));
    let (keys, key) = match key {
        Ok(found) => found,
        Err(failure) => return report_failure(format, &failure),
    };
    let result = match args.key_type {
        None => keys.check(&key).await,
        Some(KeyType::User) => keys.check_user_key(&key).await,
        Some(KeyType::Team) => keys.check_team_key(&key).await,
    };
    match result {
        Ok(good) => {
            match format {
                OutputFormat::Json => print_json(&good_json(&good)),
                OutputFormat::Text => print_text(&good_text(&good)),
            }
            Exit::Ok
        }
        Err(VerifyError::Refused(refusal)) => report_refusal(format, &refusal, json!({})),
        Err(other) => report_failure(format, &Failure::from_verify_error(&other)),
    }
}

/// The object `--output json` prints for a good key.
fn good_json(key: &VerifiedApiKey) -> Value {
    json!({
        "ok": true,
        "key_id": key.key_id(),
        "type": key.key_type(),
        "user_id": key.user().map(|u| u.user_id()),
        "team_id": key.team_id(),
        "description": key.description(),
        "is_public": key.is_public(),
        "created_at_millis": key.created_at_millis(),
        "expires_at_millis": key.expires_at_millis(),
        "last_four": key.last_four(),
        "user": key.user(),
    })
}

/// The lines printed for a good key.
fn good_text(key: &VerifiedApiKey) -> String {
    let kind = if key.is_public() { "public" } else { "secret" };
    let mut out = format!(
        "✔ api key {} ({} key, {kind})\n",
        key.key_id(),
        key.key_type()
    );
    match (key.user(), key.team_id()) {
        (Some(user), _) => {
            let email = user.email().map(|e| format!(" {e}")).unwrap_or_default();
            out.push_str(&format!(
                "  owner     user {}{email} ({})\n",
                user.user_id(),
                user.user_type()
            ));
        }
        (None, Some(team)) => out.push_str(&format!("  owner     team {team}\n")),
        (None, None) => {}
    }
    let expires = key.expires_at_millis().map_or("never".to_owned(), |ms| {
        humanize::relative(ms / 1000, humanize::now())
    });
    out.push_str(&format!("  expires   {expires}\n"));
    if !key.description().is_empty() {
        out.push_str(&format!("  note      {}\n", key.description()));
    }
    if key.key_type() == ApiKeyType::Team {
        out.push_str("  (a team key acts for its team, not for a user)\n");
    }
    out
}
