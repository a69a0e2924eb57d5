//! The environment variables: Hexclave's names before Stack Auth's (PROTOCOL §9.2).
//!
//! Every flag that reads a `STACK_<NAME>` variable reads `HEXCLAVE_<NAME>` first, when it is set
//! and not empty: `HEXCLAVE_PROJECT_ID`, `HEXCLAVE_API_URL`, `HEXCLAVE_SECRET_SERVER_KEY`,
//! `HEXCLAVE_SERVER_SECRET`. The flags declare the `STACK_` name; [`prefer_hexclave`] swaps in
//! the `HEXCLAVE_` one where it is set, so the rest of clap's handling (a command-line value
//! wins, hidden secret values, required flags) is unchanged.

use std::ffi::OsStr;

use clap::Command;

/// Every variable the command reads, `(Stack Auth name, Hexclave name)`.
pub(crate) const VARIABLES: [(&str, &str); 4] = [
    ("STACK_PROJECT_ID", "HEXCLAVE_PROJECT_ID"),
    ("STACK_API_URL", "HEXCLAVE_API_URL"),
    ("STACK_SECRET_SERVER_KEY", "HEXCLAVE_SECRET_SERVER_KEY"),
    ("STACK_SERVER_SECRET", "HEXCLAVE_SERVER_SECRET"),
];

/// The `HEXCLAVE_` name of the `STACK_` variable `stack_name`.
pub(crate) fn hexclave_name(stack_name: &str) -> Option<&'static str> {
    VARIABLES
        .iter()
        .find(|(stack, _)| *stack == stack_name)
        .map(|(_, hexclave)| *hexclave)
}

/// `command` with every flag reading a `STACK_` variable reading its `HEXCLAVE_` variable
/// instead where `is_set` says that one is set, in every subcommand.
pub(crate) fn prefer_hexclave(command: Command, is_set: &impl Fn(&str) -> bool) -> Command {
    let ids: Vec<(String, &'static str)> = command
        .get_arguments()
        .filter_map(|arg| {
            let stack = arg.get_env()?.to_str()?;
            let hexclave = hexclave_name(stack).filter(|name| is_set(name))?;
            Some((arg.get_id().to_string(), hexclave))
        })
        .collect();
    let command = ids.into_iter().fold(command, |cmd, (id, hexclave)| {
        cmd.mut_arg(id, |arg| arg.env(hexclave))
    });
    let subcommands: Vec<String> = command
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    subcommands.into_iter().fold(command, |cmd, name| {
        cmd.mut_subcommand(name, |sub| prefer_hexclave(sub, is_set))
    })
}

/// Whether the process environment has `name` set to something.
pub(crate) fn is_set_in_process(name: &str) -> bool {
    std::env::var_os(name).is_some_and(|v| !OsStr::is_empty(&v))
}

#[cfg(test)]
mod tests {
    use clap::{Arg, CommandFactory};

    use super::*;
    use crate::cli::Cli;

    #[test]
    fn every_stack_variable_has_a_hexclave_name() {
        assert_eq!(
            hexclave_name("STACK_SERVER_SECRET"),
            Some("HEXCLAVE_SERVER_SECRET")
        );
        assert_eq!(hexclave_name("PORT"), None);
        fn envs(cmd: &Command, out: &mut Vec<String>) {
            for arg in cmd.get_arguments() {
                out.extend(arg.get_env().map(|e| e.to_string_lossy().into_owned()));
            }
            for sub in cmd.get_subcommands() {
                envs(sub, out);
            }
        }
        let mut used = Vec::new();
        envs(&Cli::command(), &mut used);
        assert!(!used.is_empty());
        for name in used {
            assert!(
                hexclave_name(&name).is_some(),
                "{name} has no HEXCLAVE_ name"
            );
        }
    }

    #[test]
    fn only_the_variables_that_are_set_are_swapped() {
        let set = |name: &str| name == "HEXCLAVE_PROJECT_ID";
        let cmd = prefer_hexclave(Cli::command(), &set);
        let verify = cmd.find_subcommand("verify").unwrap();
        let env_of = |sub: &Command, id: &str| {
            sub.get_arguments()
                .find(|a| a.get_id() == id)
                .and_then(Arg::get_env)
                .map(|e| e.to_string_lossy().into_owned())
        };
        assert_eq!(
            env_of(verify, "project_id").as_deref(),
            Some("HEXCLAVE_PROJECT_ID")
        );
        assert_eq!(env_of(verify, "base_url").as_deref(), Some("STACK_API_URL"));
        let mint = cmd.find_subcommand("mint").unwrap();
        assert_eq!(
            env_of(mint, "project").as_deref(),
            Some("HEXCLAVE_PROJECT_ID")
        );
    }
}
