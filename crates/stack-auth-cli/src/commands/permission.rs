//! `stack-auth permission check`: whether a user (by id, or by access token) holds a team or
//! project permission, directly or through one that contains it.

use clap::{ArgGroup, Args, Subcommand};
use serde_json::json;
use stack_auth_core::VerifyError;
use stack_auth_rest::Permissions;

use super::server_args::{report_refusal, ServerArgs};
use crate::outcome::{Exit, Failure};
use crate::output::{print_json, print_text, report_failure, OutputFormat};
use crate::token_input::read_token;

/// `stack-auth permission <COMMAND>`.
#[derive(Debug, Subcommand)]
pub(crate) enum PermissionCommand {
    /// Check whether a user holds a permission in a team (or project-wide).
    Check(CheckArgs),
}

/// Arguments of `stack-auth permission check`.
#[derive(Debug, Args)]
#[command(
    group(ArgGroup::new("who").required(true).args(["user_id", "token"])),
    group(ArgGroup::new("where").required(true).args(["team", "project"])),
    after_help = "Exit codes: 0 granted, 1 denied (or the access token refused), 2 usage or \
                        configuration error (including a permission id Stack Auth would refuse, \
                        checked offline), 3 Stack Auth unavailable.\n\
                        --token asks Stack Auth once, verifying the token and checking the \
                        permission together (user_id=me); --user-id asks for the user's list \
                        (recursive unless --direct).\n\
                        With --output json, standard output is one JSON object: \
                        {\"ok\":true|false,\"granted\",\"permission_id\",\"team_id\",\"user_id\"} \
                        for an answer, {\"ok\":false,\"reason\",\"message\"} for a refused \
                        token, {\"ok\":false,\"error\",\"message\",..} otherwise."
)]
pub(crate) struct CheckArgs {
    /// The permission id, e.g. `team_admin`, `$read_members` or `billing:read`.
    #[arg(value_name = "PERMISSION")]
    permission_id: String,

    /// The user, by id.
    #[arg(long, value_name = "ID")]
    user_id: Option<String>,

    /// The user, by access token (`-`: standard input); verified by Stack Auth in the same
    /// request. It is never printed.
    #[arg(long, value_name = "TOKEN", allow_hyphen_values = true)]
    token: Option<String>,

    /// The team the permission is held in.
    #[arg(long, value_name = "ID")]
    team: Option<String>,

    /// A project permission instead of a team one.
    #[arg(long)]
    project: bool,

    /// Count direct grants only, not the permissions they contain (--user-id only).
    #[arg(long, requires = "user_id")]
    direct: bool,

    #[command(flatten)]
    server: ServerArgs,
}

/// Runs `stack-auth permission <COMMAND>`.
pub(crate) async fn run(command: PermissionCommand) -> Exit {
    let PermissionCommand::Check(args) = command;
    let format = args.server.output;
    let permissions = match args.server.api() {
        Ok(api) => Permissions::builder(&api).disable_cache().build(),
        Err(failure) => return report_failure(format, &failure),
    };
    let permissions = match permissions {
        Ok(p) => p,
        Err(e) => return report_failure(format, &Failure::from(e)),
    };
    let answer = match ask(&permissions, &args).await {
        Ok(answer) => answer,
        Err(Asked::Failure(failure)) => return report_failure(format, &failure),
        Err(Asked::Error(VerifyError::Refused(refusal))) => {
            return report_refusal(format, &refusal, json!({}))
        }
        Err(Asked::Error(other)) => {
            return report_failure(format, &Failure::from_verify_error(&other))
        }
    };
    let fields = json!({
        "ok": answer,
        "granted": answer,
        "permission_id": args.permission_id,
        "team_id": args.team,
        "user_id": args.user_id,
    });
    match format {
        OutputFormat::Json => print_json(&fields),
        OutputFormat::Text => {
            let who = args
                .user_id
                .as_deref()
                .map_or("the token's user".to_owned(), |id| format!("user {id}"));
            let place = args
                .team
                .as_deref()
                .map_or("the project".to_owned(), |team| format!("team {team}"));
            let (mark, verb) = if answer {
                ("✔", "holds")
            } else {
                ("✘", "does not hold")
            };
            print_text(&format!(
                "{mark} {who} {verb} {} in {place}\n",
                args.permission_id
            ));
        }
    }
    if answer {
        Exit::Ok
    } else {
        Exit::Refused
    }
}

/// Why there is no answer.
enum Asked {
    Failure(Failure),
    Error(VerifyError),
}

async fn ask(permissions: &Permissions, args: &CheckArgs) -> Result<bool, Asked> {
    let permission = args.permission_id.as_str();
    let team = args.team.as_deref();
    if let Some(token) = &args.token {
        let token = read_token(Some(token)).map_err(Asked::Failure)?;
        return match team {
            Some(team) => {
                permissions
                    .token_has_team_permission(&token, team, permission)
                    .await
            }
            None => {
                permissions
                    .token_has_project_permission(&token, permission)
                    .await
            }
        }
        .map_err(Asked::Error);
    }
    let user = args.user_id.as_deref().unwrap_or_default();
    let result = match (team, args.direct) {
        (Some(team), false) => {
            permissions
                .has_team_permission(user, team, permission)
                .await
        }
        (None, false) => permissions.has_project_permission(user, permission).await,
        (Some(team), true) => permissions
            .list_team_permissions(user, team, false)
            .await
            .map(|ids| ids.iter().any(|id| id == permission)),
        (None, true) => permissions
            .list_project_permissions(user, false)
            .await
            .map(|ids| ids.iter().any(|id| id == permission)),
    };
    result.map_err(Asked::Error)
}
