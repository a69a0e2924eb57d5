//! `stack-auth`: the command for the moments a developer holds a Stack Auth access token and
//! wants to know what is wrong with it, and for running the local Stack Auth stand-in for other
//! programs.
//!
//! | command | what it does | exit codes |
//! |---|---|---|
//! | `stack-auth verify [TOKEN]` | verifies a token with the jwt, rest or composite strategy | 0 accepted, 1 refused, 2 usage or configuration error, 3 upstream unavailable |
//! | `stack-auth inspect [TOKEN]` | decodes a token without verifying it, broken ones too | 0 decoded, 1 some part does not decode |
//! | `stack-auth jwks` | fetches a project's key set and shows its cache headers | 0, 2, 3 as for `verify` |
//! | `stack-auth serve` | runs the local stand-in until interrupted, printing its base URL | 0 stopped, 2 bad settings |
//! | `stack-auth mint` | prints a token signed with the keys a server secret derives | 0, 2 |
//! | `stack-auth api-key check [KEY]` | checks an API key: whose it is, or why it is refused | 0 good, 1 refused, 2, 3 as for `verify` |
//! | `stack-auth permission check PERMISSION` | whether a user (`--user-id`, or `--token`) holds a team (`--team`) or project (`--project`) permission | 0 granted, 1 denied or token refused, 2, 3 as for `verify` |
//!
//! A token is read from standard input when it is omitted or `-` (one trailing newline is
//! dropped, nothing else is trimmed), which also suits tokens too long for a command line.
//!
//! Flags that read an environment variable read its Hexclave name first: `HEXCLAVE_PROJECT_ID`,
//! `HEXCLAVE_API_URL`, `HEXCLAVE_SECRET_SERVER_KEY` and `HEXCLAVE_SERVER_SECRET`, then the
//! `STACK_` names.
//!
//! Sibling crates: `stack-auth-core` (types), `stack-auth-jwks`, `stack-auth-rest` and
//! `stack-auth-composite` (the strategies), `stack-auth-testkit` (the stand-in and minter).

mod cli;
mod commands;
mod decode;
mod env;
mod humanize;
mod issuer;
mod outcome;
mod output;
mod request_headers;
mod secret;
mod token_input;
mod user_kind;

use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return outcome::Exit::Config.into();
        }
    };
    runtime.block_on(commands::run(cli.command)).into()
}
