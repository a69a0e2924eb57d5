//! Shared helpers: the built `stack-auth` binary, the interop fixtures, and a `stack-auth serve`
//! child process that is killed when dropped.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command as StdCommand, Output, Stdio};

use assert_cmd::Command;
use serde_json::Value;

/// The environment variables the CLI reads, cleared so the developer's shell cannot leak in.
pub const ENV_VARS: [&str; 8] = [
    "STACK_PROJECT_ID",
    "STACK_API_URL",
    "STACK_SECRET_SERVER_KEY",
    "STACK_SERVER_SECRET",
    "HEXCLAVE_PROJECT_ID",
    "HEXCLAVE_API_URL",
    "HEXCLAVE_SECRET_SERVER_KEY",
    "HEXCLAVE_SERVER_SECRET",
];

/// The built binary.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_stack-auth")
}

/// `stack-auth` with a clean environment and no standard input.
pub fn stack_auth() -> Command {
    let mut cmd = Command::new(bin());
    for var in ENV_VARS {
        cmd.env_remove(var);
    }
    cmd.write_stdin("");
    cmd
}

/// `fixtures/<name>` (`interop` or `interop-brand`).
pub fn fixture_dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name)
}

pub fn interop_dir() -> PathBuf {
    fixture_dir("interop")
}

/// The `cases.json` of `fixtures/<name>`, each case given its `base_url` and `project_id` (its
/// own, else the file's).
pub fn cases_file_in(name: &str) -> Value {
    let fixture = stack_auth_testkit::InteropFixture::load(fixture_dir(name));
    fixture.unwrap().resolved_document()
}

pub fn cases_file() -> Value {
    cases_file_in("interop")
}

/// The case named `name`.
pub fn case(name: &str) -> Value {
    cases_file()["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("no case {name}"))
        .clone()
}

/// The full key set of `project_id` (normal, restricted and anonymous keys).
pub fn jwks_file(project_id: &str) -> PathBuf {
    jwks_file_in("interop", project_id)
}

/// The full key set of `project_id` in `fixtures/<fixture>`.
pub fn jwks_file_in(fixture: &str, project_id: &str) -> PathBuf {
    stack_auth_testkit::InteropFixture::load(fixture_dir(fixture))
        .unwrap()
        .jwks_path(project_id, Some("include_anonymous=true"))
}

/// Standard output as the one JSON object it must be.
pub fn stdout_json(output: &Output) -> Value {
    let text = String::from_utf8(output.stdout.clone()).unwrap();
    assert_eq!(text.lines().count(), 1, "not one line: {text}");
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
}

/// Standard output and standard error together, for "never shows X" checks.
pub fn all_output(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A running `stack-auth serve`, killed on drop.
pub struct Served {
    child: Child,
    pub base_url: String,
    pub secret: String,
    /// The secret server key of each project, as printed (`(as given)` for a given one).
    pub keys: HashMap<String, String>,
    /// Every line printed before `ready`.
    pub banner: Vec<String>,
}

impl Served {
    /// Starts `stack-auth serve <args>` and reads its banner up to `ready`.
    pub fn start(args: &[&str]) -> Served {
        Served::start_with_env(args, &[])
    }

    /// [`Served::start`] with environment variables `env` (the others the CLI reads cleared).
    pub fn start_with_env(args: &[&str], env: &[(&str, &str)]) -> Served {
        Served::try_start_with_env(args, env).unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Served::start`], answering why `serve` did not start instead of panicking.
    pub fn try_start(args: &[&str]) -> Result<Served, String> {
        Served::try_start_with_env(args, &[])
    }

    fn try_start_with_env(args: &[&str], env: &[(&str, &str)]) -> Result<Served, String> {
        let mut command = StdCommand::new(bin());
        for var in ENV_VARS {
            command.env_remove(var);
        }
        command.envs(env.iter().copied());
        let mut child = command
            .arg("serve")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let banner = read_banner(child.stdout.take().unwrap());
        if banner.last().map(String::as_str) != Some("ready") {
            let mut err = String::new();
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut err)
                .unwrap();
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("serve did not start: {banner:?} {err}"));
        }
        let secret = args
            .iter()
            .position(|a| *a == "--secret")
            .map(|i| args[i + 1].to_owned())
            .or_else(|| field(&banner, "secret"))
            .or_else(|| {
                env.iter()
                    .find(|(k, _)| k.ends_with("_SERVER_SECRET"))
                    .map(|(_, v)| (*v).to_owned())
            })
            .unwrap();
        let keys = banner
            .iter()
            .filter_map(|l| l.strip_prefix("project "))
            .map(|l| {
                let (pid, key) = l.split_once(" secret-server-key ").unwrap();
                (pid.to_owned(), key.to_owned())
            })
            .collect();
        Ok(Served {
            child,
            base_url: banner[0].clone(),
            secret,
            keys,
            banner,
        })
    }

    /// `stack-auth mint` for this stand-in: its secret and base URL.
    pub fn mint(&self, project: &str, user: &str, extra: &[&str]) -> String {
        let out = stack_auth()
            .args([
                "mint",
                "--secret",
                &self.secret,
                "--base-url",
                &self.base_url,
            ])
            .args(["--project", project, "--user", user])
            .args(extra)
            .output()
            .unwrap();
        assert!(out.status.success(), "mint failed: {}", all_output(&out));
        String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
    }

    /// Sends `signal` (`INT`, `TERM`) and waits up to 10 s for the stand-in to exit; returns
    /// its exit code and standard error.
    #[cfg(unix)]
    pub fn stop_with(&mut self, signal: &str) -> (Option<i32>, String) {
        let pid = self.child.id().to_string();
        let sent = StdCommand::new("kill")
            .args(["-s", signal, &pid])
            .status()
            .unwrap();
        assert!(sent.success(), "kill -s {signal} failed");
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                let mut err = String::new();
                self.child
                    .stderr
                    .take()
                    .unwrap()
                    .read_to_string(&mut err)
                    .unwrap();
                return (status.code(), err);
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("serve did not stop on SIG{signal}");
    }

    /// Stops the stand-in now.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.kill();
    }
}

fn read_banner(stdout: ChildStdout) -> Vec<String> {
    let mut lines = Vec::new();
    for line in BufReader::new(stdout).lines() {
        let line = line.unwrap();
        let done = line == "ready";
        lines.push(line);
        if done {
            break;
        }
    }
    lines
}

fn field(banner: &[String], name: &str) -> Option<String> {
    banner
        .iter()
        .find_map(|l| l.strip_prefix(&format!("{name} ")).map(str::to_owned))
}
