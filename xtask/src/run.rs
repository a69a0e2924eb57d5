//! Running commands and reporting which one failed.

use std::{fmt, process::Command};

/// A command that failed, for the final message.
#[derive(Debug)]
pub(crate) struct Step(pub(crate) String);

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Runs `cargo <args>` with extra environment variables, streaming its output.
pub(crate) fn cargo(args: &[&str], env: &[(&str, &str)]) -> Result<(), Step> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    command(&cargo, args, env)
}

/// Runs `program <args>`, streaming its output.
pub(crate) fn command(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), Step> {
    let shown = format!("{program} {}", args.join(" "));
    eprintln!("xtask: running {shown}");
    let status = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| Step(format!("{shown} ({e})")))?;
    if status.success() {
        Ok(())
    } else {
        Err(Step(shown))
    }
}
