//! What the server-API commands (`api-key check`, `permission check`) share: the project, its
//! secret server key and the timeout, the [`ServerApi`] they make, and how a refusal prints.

use std::time::Duration;

use clap::Args;
use serde_json::json;
use stack_auth_core::{Refusal, SecretServerKey, UserType, UserTypes, DEFAULT_BASE_URL};
use stack_auth_rest::ServerApi;

use super::verify_report::describe;
use crate::outcome::{Exit, Failure};
use crate::output::{print_json, print_text, OutputFormat};

/// The settings of a server-API command.
#[derive(Debug, Args)]
pub(crate) struct ServerArgs {
    /// The project (the one the token, key or user must belong to).
    #[arg(long, env = "STACK_PROJECT_ID", value_name = "ID")]
    pub(crate) project_id: String,

    /// The Stack Auth API base URL: the hosted service, a self-hosted deployment, or what
    /// `stack-auth serve` printed.
    #[arg(long, env = "STACK_API_URL", default_value = DEFAULT_BASE_URL, value_name = "URL")]
    pub(crate) base_url: String,

    /// The project's secret server key (`ssk_…`), for what asks Stack Auth (`verify`'s rest and
    /// composite strategies). It is never printed.
    #[arg(
        long,
        env = "STACK_SECRET_SERVER_KEY",
        hide_env_values = true,
        allow_hyphen_values = true,
        value_name = "KEY",
        value_parser = secret_server_key
    )]
    pub(crate) secret_server_key: Option<SecretServerKey>,

    /// Also accept restricted users (e.g. whose email is not verified).
    #[arg(long)]
    pub(crate) allow_restricted: bool,

    /// Also accept anonymous users; implies --allow-restricted.
    #[arg(long)]
    pub(crate) allow_anonymous: bool,

    /// How to print the answer.
    #[arg(long, value_enum, default_value_t)]
    pub(crate) output: OutputFormat,

    /// How long fetching keys or asking Stack Auth may take, retries included, e.g. `5s` or
    /// `500ms`.
    #[arg(long, default_value = "5s", value_name = "DURATION", value_parser = humantime::parse_duration)]
    pub(crate) timeout: Duration,
}

/// Reads a `--secret-server-key` value (kept out of `Debug`).
pub(crate) fn secret_server_key(s: &str) -> Result<SecretServerKey, std::convert::Infallible> {
    Ok(SecretServerKey::new(s))
}

impl ServerArgs {
    /// The user types `--allow-restricted` and `--allow-anonymous` let in.
    pub(crate) fn accepted(&self) -> UserTypes {
        let mut accepted = UserTypes::NORMAL_ONLY;
        if self.allow_restricted || self.allow_anonymous {
            accepted = accepted.with(UserType::Restricted);
        }
        if self.allow_anonymous {
            accepted = accepted.with(UserType::Anonymous);
        }
        accepted
    }

    /// The server API these settings describe.
    pub(crate) fn api(&self) -> Result<ServerApi, Failure> {
        let Some(key) = self.secret_server_key.clone() else {
            return Err(Failure::config(
                "this command needs --secret-server-key (or HEXCLAVE_SECRET_SERVER_KEY or \
                 STACK_SECRET_SERVER_KEY)",
            ));
        };
        Ok(ServerApi::builder(self.project_id.clone(), key)
            .base_url(self.base_url.clone())
            .accepted_user_types(self.accepted())
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .build()?)
    }
}

/// Prints a refusal (`{"ok":false,"reason","message",..}` with `fields`, or a line) and
/// returns exit 1.
pub(crate) fn report_refusal(
    format: OutputFormat,
    refusal: &Refusal,
    fields: serde_json::Value,
) -> Exit {
    let mut message = describe(refusal.reason()).to_owned();
    if let Some(detail) = refusal.detail() {
        message.push_str(": ");
        message.push_str(detail);
    }
    match format {
        OutputFormat::Json => {
            let mut out =
                json!({ "ok": false, "reason": refusal.reason().as_str(), "message": message });
            if let (Some(out), Some(fields)) = (out.as_object_mut(), fields.as_object()) {
                out.extend(fields.clone());
            }
            print_json(&out);
        }
        OutputFormat::Text => print_text(&format!("✘ refused: {} ({message})\n", refusal.reason())),
    }
    Exit::Refused
}
