//! A run in progress: the load generator, the stand-in, where the server and the load
//! generator run, and how one server is started, checked and measured.

use std::{
    path::{Path, PathBuf},
    time::{Duration, Instant},
};

use serde_json::Value;

use super::{
    model::{CheckTimes, Measured, Server, ServerRun},
    probe,
    procs::{children_cpu_seconds, on_cpu, Cpus, Proc},
    wrk::{Load, LoadSpec, Wrk},
};
use crate::run::Step;

/// How long a process may take to say it is ready.
const START_TIMEOUT: Duration = Duration::from_secs(60);
/// Seconds each check-time measurement runs (after one second of warm-up).
const CHECK_SECONDS: &str = "3";

/// The tools and the stand-in of one `--http` run; dropping it stops the stand-in.
pub(crate) struct Session {
    pub(crate) dir: PathBuf,
    pub(crate) cpus: Cpus,
    pub(crate) wrk: Wrk,
    pub(crate) spec: LoadSpec,
    pub(crate) warmup: LoadSpec,
    pub(crate) stand_in: Proc,
    /// The load generator's token file (the setup's tokens, one per line).
    pub(crate) tokens_file: PathBuf,
    /// A valid token, for the checks before measuring.
    pub(crate) token: String,
    bins: PathBuf,
    setup_file: PathBuf,
    jwks_url: String,
    /// The folder holding jose and `http_server.mjs`, or why there is none.
    node: Result<PathBuf, String>,
}

impl Session {
    /// Starts the stand-in (on the load generator's CPU) and reads the setup it writes.
    pub(crate) fn start(
        dir: PathBuf,
        bins: PathBuf,
        cpus: Cpus,
        wrk: Wrk,
        spec: LoadSpec,
        warmup_seconds: u32,
        node: Result<PathBuf, String>,
    ) -> Result<Session, Step> {
        let setup_file = dir.join("setup.json");
        let _ = std::fs::remove_file(&setup_file);
        let mut command = on_cpu(cpus.load, &bins.join("http_stand_in"));
        command.arg(&setup_file);
        let mut stand_in = Proc::start("the stand-in", command, dir.join("stand-in.log"))?;
        stand_in.json_line(START_TIMEOUT)?;
        let text = std::fs::read_to_string(&setup_file)
            .map_err(|e| Step(format!("reading {} ({e})", setup_file.display())))?;
        let setup: Value = serde_json::from_str(&text)
            .map_err(|e| Step(format!("parsing {} ({e})", setup_file.display())))?;
        let tokens = tokens(&setup["tokens"])?;
        let tokens_file = dir.join("tokens.txt");
        write_tokens(&tokens_file, &tokens)?;
        Ok(Session {
            cpus,
            wrk,
            spec,
            warmup: LoadSpec {
                seconds: warmup_seconds,
                ..spec
            },
            stand_in,
            tokens_file,
            token: tokens[0].clone(),
            bins,
            jwks_url: setup["jwks_url"].as_str().unwrap_or_default().to_owned(),
            setup_file,
            node,
            dir,
        })
    }

    /// Starts `http_server <kind>` (or the Node peer for `None`) on the server's CPU; returns
    /// it, its address and what it said when ready.
    pub(crate) fn start_server(&self, kind: Option<&str>) -> Result<(Proc, String, Value), Step> {
        let (name, command) = match kind {
            Some(kind) => {
                let mut command = on_cpu(self.cpus.server, &self.bins.join("http_server"));
                command.arg(kind).arg(&self.setup_file);
                (format!("server {kind}"), command)
            }
            None => {
                let dir = self.node.as_ref().map_err(|why| Step(why.clone()))?;
                let mut command = on_cpu(self.cpus.server, Path::new("node"));
                command
                    .arg("http_server.mjs")
                    .arg(&self.jwks_url)
                    .current_dir(dir);
                ("the Node peer".to_owned(), command)
            }
        };
        let log = self.dir.join(format!("{}.log", kind.unwrap_or("node")));
        let mut proc = Proc::start(&name, command, log)?;
        let ready = proc.json_line(START_TIMEOUT)?;
        let addr = ready["listening"]
            .as_str()
            .ok_or_else(|| Step(format!("{name} did not say where it listens: {ready}")))?
            .to_owned();
        Ok((proc, addr, ready))
    }

    /// Checks a server answers a valid token with 200 and, if it authenticates, a bad one
    /// with 401, then runs the warm-up load.
    pub(crate) fn check_and_warm(&self, addr: &str, authenticates: bool) -> Result<(), Step> {
        probe::expect(addr, &self.token, 200, "a valid token")?;
        if authenticates {
            probe::expect(addr, "not.a.token", 401, "a malformed token")?;
        }
        self.load(addr, self.warmup, &self.tokens_file).map(drop)
    }

    /// Runs wrk against `addr` on the load generator's CPU.
    pub(crate) fn load(&self, addr: &str, spec: LoadSpec, tokens: &Path) -> Result<Load, Step> {
        self.wrk
            .run(self.cpus.load, spec, &format!("http://{addr}/"), tokens)
    }

    /// Starts, checks, warms and measures `server`, then stops it. A peer that cannot run is
    /// reported as not measured; one of ours that cannot is an error.
    pub(crate) fn measure(&mut self, server: Server) -> Result<ServerRun, Step> {
        let outcome = self.try_measure(server);
        match (outcome, server.kind()) {
            (Ok(measured), _) => Ok(ServerRun {
                server,
                outcome: Ok(measured),
            }),
            (Err(Step(why)), None) => {
                eprintln!("xtask: the Node peer was not measured: {why}");
                Ok(ServerRun {
                    server,
                    outcome: Err(why),
                })
            }
            (Err(e), Some(_)) => Err(e),
        }
    }

    fn try_measure(&mut self, server: Server) -> Result<Measured, Step> {
        let (proc, addr, ready) = self.start_server(server.kind())?;
        let about = ready["library"].as_str().map(|library| {
            let runtime = ready["runtime"].as_str().unwrap_or("?");
            format!("{library}, {runtime}")
        });
        self.check_and_warm(&addr, server != Server::Plain)?;
        let users_me = |s: &mut Session| -> Result<u64, Step> {
            let counts = s.stand_in.ask("counts")?;
            Ok(counts["users_me"].as_u64().unwrap_or(0))
        };
        let calls_before = users_me(self)?;
        let (cpu_before, wrk_before) = (proc.cpu_seconds(), children_cpu_seconds());
        let started = Instant::now();
        let load = self.load(&addr, self.spec, &self.tokens_file)?;
        let busy = |after: Option<f64>, before: Option<f64>| {
            after
                .zip(before)
                .map(|(a, b)| (a - b) / started.elapsed().as_secs_f64())
        };
        let cpu_busy = busy(proc.cpu_seconds(), cpu_before);
        let wrk_busy = busy(children_cpu_seconds(), wrk_before);
        let calls = users_me(self)? - calls_before;
        drop(proc);
        if load.non_2xx > 0 {
            return Err(Step(format!(
                "server ({}) refused {} of {} requests: the run would not measure authenticated \
                 requests (see {})",
                server.number(),
                load.non_2xx,
                load.requests,
                self.dir.display()
            )));
        }
        eprintln!(
            "xtask: ({}) {:.0} requests/s, p99 {} µs",
            server.number(),
            load.rate(),
            load.p99_us
        );
        Ok(Measured {
            load,
            cpu_busy,
            wrk_busy,
            users_me_calls: (server == Server::Composite).then_some(calls),
            about,
        })
    }

    /// Measures the ECDSA check and the verifier alone on the server's CPU.
    pub(crate) fn check_time(&self, into: &mut CheckTimes) -> Result<(), Step> {
        let mut command = on_cpu(self.cpus.server, &self.bins.join("http_check_time"));
        command.arg(&self.setup_file).arg(CHECK_SECONDS);
        let shown = format!("{command:?}");
        eprintln!("xtask: running {shown}");
        let out = command
            .output()
            .map_err(|e| Step(format!("{shown} ({e})")))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line: Value = stdout
            .lines()
            .last()
            .and_then(|l| serde_json::from_str(l).ok())
            .filter(|_| out.status.success())
            .ok_or_else(|| {
                Step(format!(
                    "{shown} failed: {}",
                    String::from_utf8_lossy(&out.stderr)
                ))
            })?;
        let ns = |k: &str| {
            line[k]
                .as_f64()
                .ok_or_else(|| Step(format!("{shown}: no {k}")))
        };
        into.ecdsa_ns.push(ns("ecdsa_only_ns")?);
        into.verifier_ns.push(ns("jwks_verifier_ns")?);
        Ok(())
    }
}

/// The tokens of a JSON array of strings (at least one).
pub(crate) fn tokens(value: &Value) -> Result<Vec<String>, Step> {
    let tokens: Vec<String> = value
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if tokens.is_empty() {
        return Err(Step(format!("expected a list of tokens, got {value}")));
    }
    Ok(tokens)
}

/// Writes the load generator's token file, one token per line.
pub(crate) fn write_tokens(file: &Path, tokens: &[String]) -> Result<(), Step> {
    std::fs::write(file, tokens.join("\n") + "\n")
        .map_err(|e| Step(format!("writing {} ({e})", file.display())))
}
