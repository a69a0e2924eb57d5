//! The command line: `stack-auth <COMMAND>`.

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::commands::{
    api_key::ApiKeyCommand, inspect::InspectArgs, jwks::JwksArgs, mint::MintArgs,
    permission::PermissionCommand, serve::ServeArgs, verify::VerifyArgs,
};

/// Debug Stack Auth access tokens, API keys and permissions, and run a local Stack Auth
/// stand-in.
#[derive(Debug, Parser)]
#[command(name = "stack-auth", version, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 accepted, 1 refused, 2 usage or configuration error, \
                        3 upstream unavailable.\n\
                        Tokens are read from standard input when omitted or `-`.\n\
                        Every STACK_* variable may also be set as HEXCLAVE_* \
                        (HEXCLAVE_PROJECT_ID, HEXCLAVE_API_URL, HEXCLAVE_SECRET_SERVER_KEY, \
                        HEXCLAVE_SERVER_SECRET), which is read first."
)]
pub(crate) struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Verify a token: who it belongs to, or exactly why it is refused.
    Verify(VerifyArgs),
    /// Decode a token WITHOUT verifying it: header, claims, user type, issue and expiry times.
    Inspect(InspectArgs),
    /// Fetch a project's JSON Web Key Set and show it with its cache headers.
    Jwks(JwksArgs),
    /// Run the local Stack Auth stand-in until interrupted, printing its base URL first.
    Serve(ServeArgs),
    /// Print a token signed with the keys a server secret derives, as Stack Auth mints them.
    Mint(MintArgs),
    /// Check an API key: whose it is, or exactly why it is refused.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// Check a user's team or project permission.
    #[command(subcommand)]
    Permission(PermissionCommand),
}

/// Parses the process arguments, reading `HEXCLAVE_*` variables before `STACK_*` ones; exits
/// on a usage error or `--help`, as clap does.
pub(crate) fn parse() -> Cli {
    let command = crate::env::prefer_hexclave(Cli::command(), &crate::env::is_set_in_process);
    let matches = command.get_matches();
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
