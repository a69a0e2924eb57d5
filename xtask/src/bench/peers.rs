//! `--peers`: the same token and key verified by Node's `jose` and by PyJWT, each installed
//! into a scratch folder under `target/peers/`.

use std::{path::Path, process::Command};

use serde_json::Value;

use super::Paths;

/// The exact packages installed (bump deliberately; the report names what ran).
const JOSE: &str = "jose@6.2.18";
const PYJWT: &str = "pyjwt[crypto]==2.15.1";
/// How long each peer measures, after a one-second warm-up.
const SECONDS: &str = "10";

/// One peer's outcome.
pub(crate) struct Peer {
    /// Our rate by the same method, the mean of the runs just before and after this peer's.
    pub(crate) ours_ops_per_sec: Option<f64>,
    /// What ran, e.g. ``Node jose `jwtVerify` ``.
    pub(crate) name: &'static str,
    /// Library and runtime versions, or why it did not run.
    pub(crate) detail: String,
    /// Median verifications per second, when it ran.
    pub(crate) ops_per_sec: Option<f64>,
}

/// Installs and runs both peers, each between two runs of ours measured the same way (so a
/// change of load on the shared machine hits both sides); a peer that cannot run says why.
pub(crate) fn run(paths: &Paths) -> (Vec<Peer>, Vec<Peer>) {
    let interop = paths.root.join("fixtures/interop");
    let before = ours(&interop);
    let mut jose = node(paths, &interop);
    let between = ours(&interop);
    let mut pyjwt = python(paths, &interop);
    let after = ours(&interop);
    jose.ours_ops_per_sec = mean(&before, &between);
    pyjwt.ours_ops_per_sec = mean(&between, &after);
    (vec![jose, pyjwt], vec![before, between, after])
}

fn mean(a: &Peer, b: &Peer) -> Option<f64> {
    match (a.ops_per_sec, b.ops_per_sec) {
        (Some(x), Some(y)) => Some((x + y) / 2.0),
        (x, y) => x.or(y),
    }
}

/// Our `peer_rate` binary: the same token, key and method as the peers' scripts.
fn ours(interop: &Path) -> Peer {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let outcome = capture(
        Command::new(cargo)
            .args(["run", "--release", "--quiet", "-p", "stack-auth-benchmarks"])
            .args(["--bin", "peer_rate", "--"])
            .arg(interop)
            .arg(SECONDS),
    );
    peer("ours", outcome)
}

fn node(paths: &Paths, interop: &Path) -> Peer {
    let outcome = node_script(paths, "verify.mjs")
        .and_then(|script| capture(Command::new("node").arg(&script).arg(interop).arg(SECONDS)));
    peer("Node jose `jwtVerify`", outcome)
}

/// Installs jose into `target/peers/node` and copies `benchmarks/peers/node/<script>` there;
/// returns the script's path, or why it cannot run.
pub(crate) fn node_script(paths: &Paths, script: &str) -> Result<std::path::PathBuf, String> {
    let dir = paths.target.join("peers/node");
    capture(Command::new("node").arg("--version"))?;
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    capture(
        Command::new("npm")
            .args(["install", "--no-audit", "--no-fund", "--silent", "--prefix"])
            .arg(&dir)
            .arg(JOSE),
    )?;
    let copy = dir.join(script);
    std::fs::copy(paths.root.join("benchmarks/peers/node").join(script), &copy)
        .map_err(|e| format!("copying {script} ({e})"))?;
    Ok(copy)
}

fn python(paths: &Paths, interop: &Path) -> Peer {
    let dir = paths.target.join("peers/python");
    let outcome = (|| {
        capture(Command::new("python3").arg("--version"))?;
        capture(
            Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "--upgrade", "--target"])
                .arg(&dir)
                .arg(PYJWT),
        )?;
        capture(
            Command::new("python3")
                .arg(paths.root.join("benchmarks/peers/python/verify.py"))
                .arg(interop)
                .arg(SECONDS)
                .env("PYTHONPATH", &dir),
        )
    })();
    peer("PyJWT `jwt.decode`", outcome)
}

/// Reads the script's last line: `{"library", "runtime", "ops_per_sec"}`.
fn peer(name: &'static str, outcome: Result<String, String>) -> Peer {
    let parsed = outcome.and_then(|stdout| {
        let line = stdout.lines().last().unwrap_or_default();
        let v: Value = serde_json::from_str(line).map_err(|e| format!("bad output ({e})"))?;
        let ops = v["ops_per_sec"]
            .as_f64()
            .ok_or("no ops_per_sec in output")?;
        let text = |k: &str| v[k].as_str().unwrap_or("?").to_owned();
        Ok((format!("{}, {}", text("library"), text("runtime")), ops))
    });
    match parsed {
        Ok((detail, ops)) => {
            eprintln!("xtask: {name}: {ops:.0} verifications/s ({detail})");
            Peer {
                name,
                detail,
                ops_per_sec: Some(ops),
                ours_ops_per_sec: None,
            }
        }
        Err(why) => {
            eprintln!("xtask: {name} not measured: {why}");
            Peer {
                name,
                detail: format!("not measured: {why}"),
                ops_per_sec: None,
                ours_ops_per_sec: None,
            }
        }
    }
}

/// Runs a command, echoing it, and returns its stdout if it succeeded.
fn capture(command: &mut Command) -> Result<String, String> {
    let shown = format!("{command:?}");
    eprintln!("xtask: running {shown}");
    let out = command.output().map_err(|e| format!("{shown}: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("");
        Err(format!("{shown} failed: {last}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_last_line_or_says_why_not() {
        let ok = peer(
            "x",
            Ok(
                "noise\n{\"library\":\"jose 6\",\"runtime\":\"Node v20\",\"ops_per_sec\":1234.5}\n"
                    .into(),
            ),
        );
        assert_eq!(ok.ops_per_sec, Some(1234.5));
        assert_eq!(ok.detail, "jose 6, Node v20");
        let bad = peer("x", Ok("not json".into()));
        assert!(bad.ops_per_sec.is_none() && bad.detail.starts_with("not measured"));
        let failed = peer("x", Err("npm failed".into()));
        assert_eq!(failed.detail, "not measured: npm failed");
        assert_eq!(mean(&ok, &ok), Some(1234.5));
        assert_eq!(mean(&failed, &ok), Some(1234.5));
        assert_eq!(mean(&failed, &bad), None);
    }
}
