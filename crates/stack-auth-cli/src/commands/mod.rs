//! One module per subcommand; [`run`] dispatches.

pub(crate) mod api_key;
pub(crate) mod inspect;
pub(crate) mod jwks;
pub(crate) mod mint;
pub(crate) mod permission;
pub(crate) mod serve;
mod server_args;
pub(crate) mod verify;
mod verify_input;
mod verify_report;

use crate::cli::Command;
use crate::outcome::Exit;

/// Runs `command` to the end and says how it ended.
pub(crate) async fn run(command: Command) -> Exit {
    match command {
        Command::Verify(args) => verify::run(args).await,
        Command::Inspect(args) => inspect::run(&args),
        Command::Jwks(args) => jwks::run(args).await,
        Command::Serve(args) => serve::run(args).await,
        Command::Mint(args) => mint::run(&args),
        Command::ApiKey(command) => api_key::run(command).await,
        Command::Permission(command) => permission::run(command).await,
    }
}
