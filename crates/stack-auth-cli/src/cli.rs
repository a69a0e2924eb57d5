//! The command line: `stack-auth <COMMAND>`.

use clap::{Parser, Subcommand};

use crate::commands::{
    inspect::InspectArgs, jwks::JwksArgs, mint::MintArgs, serve::ServeArgs, verify::VerifyArgs,
};

/// Debug Stack Auth access tokens and run a local Stack Auth stand-in.
#[derive(Debug, Parser)]
#[command(name = "stack-auth", version, propagate_version = true)]
#[command(
    after_help = "Exit codes: 0 accepted, 1 refused, 2 usage or configuration error, \
                        3 upstream unavailable.\n\
                        Tokens are read from standard input when omitted or `-`."
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
