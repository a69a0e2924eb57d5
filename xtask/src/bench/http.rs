//! `cargo xtask bench --http` (also part of `--peers`): authenticated HTTP requests per second
//! as a user's server answers them (issue 18).
//!
//! 1. wrk is found or installed (`apt-get install -y wrk`), the benchmark binaries are built
//!    (`cargo build --release -p stack-auth-benchmarks --bins`), jose is installed for the
//!    Node peer;
//! 2. the stand-in starts (`http_stand_in`) on the load generator's CPU;
//! 3. each server (`http_server <kind>`, or `node http_server.mjs`) runs alone on the server's
//!    CPU, is checked (a valid token answers 200, a bad one 401), warmed and measured by wrk;
//!    the ECDSA check and the verifier alone are timed on the same CPU (`http_check_time`);
//! 4. the tail scenario drives server (2) while the stand-in rotates keys and slows its JWKS.
//!
//! Every process is stopped on every exit path (see [`procs`]); the caller renders the
//! section with [`render`] and puts it in place with [`splice`].

mod model;
mod probe;
mod procs;
mod report;
mod session;
mod tail;
mod wrk;

pub(crate) use report::{render, section_of, splice};

use model::{CheckTimes, HttpRun, Server, ServerRun};
use session::Session;
use wrk::{LoadSpec, Wrk};

use super::{machine, peers, Paths};
use crate::run::{cargo, Step};

/// Fixed connections and duration of each measured run.
const SPEC: LoadSpec = LoadSpec {
    connections: 32,
    seconds: 10,
};
/// Seconds of load before each measured run.
const WARMUP_SECONDS: u32 = 2;
/// Seconds of each window of the tail scenario.
const WINDOW_SECONDS: u32 = 6;
/// Crates whose locked versions the section names.
const LOCKED: &[&str] = &[
    "axum",
    "hyper",
    "tokio",
    "aws-lc-rs",
    "jsonwebtoken",
    "moka",
];

/// Runs the HTTP benchmark; `command` is what the report says ran it.
pub(crate) fn run(paths: &Paths, command: &str) -> Result<HttpRun, Step> {
    let before = machine::Machine::collect(paths);
    let dir = paths.target.join("bench-http");
    std::fs::create_dir_all(&dir).map_err(|e| Step(format!("creating {} ({e})", dir.display())))?;
    let wrk = Wrk::ensure(&dir)?;
    cargo(
        &[
            "build",
            "--release",
            "-p",
            "stack-auth-benchmarks",
            "--bins",
        ],
        &[],
    )?;
    let node = peers::node_script(paths, "http_server.mjs").map(|script| {
        script
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    });
    let cpus = procs::Cpus::detect();
    eprintln!("xtask: {}", cpus.note);
    let pinning = cpus.note.clone();
    let wrk_version = wrk.version.clone();
    let bins = paths.target.join("release");
    let mut session = Session::start(dir, bins, cpus, wrk, SPEC, WARMUP_SECONDS, node)?;
    let mut checks = CheckTimes::default();
    let mut servers = Vec::new();
    session.check_time(&mut checks)?;
    servers.push(session.measure(Server::Plain)?);
    servers.push(session.measure(Server::JwksNoCache)?);
    session.check_time(&mut checks)?;
    servers.push(session.measure(Server::Jwks)?);
    servers.push(session.measure(Server::Node)?);
    servers.push(session.measure(Server::Composite)?);
    let tail = tail::run(&mut session, WINDOW_SECONDS)?;
    drop(session);
    servers.sort_by_key(|r| r.server.number());
    let node = match servers.iter().find(|r| r.server == Server::Node) {
        Some(ServerRun {
            outcome: Ok(measured),
            ..
        }) => measured.about.clone().unwrap_or_else(|| "?".to_owned()),
        Some(ServerRun {
            outcome: Err(why), ..
        }) => format!("not measured: {why}"),
        None => "not measured".to_owned(),
    };
    let lock = std::fs::read_to_string(paths.root.join("Cargo.lock")).unwrap_or_default();
    Ok(HttpRun {
        command: command.to_owned(),
        date: before.date,
        commit: before.commit,
        cpu: format!("{}, {} logical cores", before.cpu, before.cores),
        load_before: before.load_before,
        load_after: machine::load_average(),
        wrk_version,
        pinning,
        spec: SPEC,
        warmup_seconds: WARMUP_SECONDS,
        node,
        locked: LOCKED
            .iter()
            .map(|name| {
                let version = machine::locked_version(&lock, name).unwrap_or_else(|| "?".into());
                ((*name).to_owned(), version)
            })
            .collect(),
        servers,
        checks,
        tail,
    })
}
