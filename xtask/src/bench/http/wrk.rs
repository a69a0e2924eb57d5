//! The load generator: `wrk` from the distribution's packages (installed with `apt-get` when
//! missing), driven by `wrk.lua`, and the parsing of what it reports.

use std::{
    path::{Path, PathBuf},
    process::Command,
};

use serde_json::Value;

use super::procs::on_cpu;
use crate::{bench::machine::output, run::Step};

/// The line `wrk.lua` prints its summary on.
const MARKER: &str = "XTASK_WRK ";

/// How wrk is run: fixed connections, one thread (one CPU), a fixed duration.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LoadSpec {
    pub(crate) connections: u32,
    pub(crate) seconds: u32,
}

/// What one wrk run measured.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Load {
    pub(crate) requests: u64,
    pub(crate) duration_us: u64,
    /// Connect, read and write errors together.
    pub(crate) socket_errors: u64,
    /// Answers with a status outside 2xx and 3xx.
    pub(crate) non_2xx: u64,
    /// Requests that got no answer within wrk's `--timeout` (not in the latencies).
    pub(crate) timeouts: u64,
    pub(crate) mean_us: f64,
    pub(crate) p50_us: u64,
    pub(crate) p90_us: u64,
    pub(crate) p99_us: u64,
    pub(crate) max_us: u64,
}

impl Load {
    /// Requests per second.
    pub(crate) fn rate(&self) -> f64 {
        self.requests as f64 / (self.duration_us as f64 / 1e6)
    }

    /// Reads the summary line of `wrk.lua` from wrk's stdout.
    pub(crate) fn parse(stdout: &str) -> Result<Load, String> {
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix(MARKER))
            .ok_or("wrk printed no summary line (did wrk.lua run?)")?;
        let v: Value = serde_json::from_str(line).map_err(|e| format!("bad summary ({e})"))?;
        let n = |k: &str| {
            v[k].as_u64()
                .ok_or_else(|| format!("summary has no {k}: {line}"))
        };
        let load = Load {
            requests: n("requests")?,
            duration_us: n("duration_us")?,
            socket_errors: n("connect_errors")? + n("read_errors")? + n("write_errors")?,
            non_2xx: n("non_2xx")?,
            timeouts: n("timeouts")?,
            mean_us: v["mean_us"].as_f64().ok_or("summary has no mean_us")?,
            p50_us: n("p50_us")?,
            p90_us: n("p90_us")?,
            p99_us: n("p99_us")?,
            max_us: n("max_us")?,
        };
        if load.requests == 0 || load.duration_us == 0 {
            return Err(format!("wrk completed no request: {line}"));
        }
        Ok(load)
    }
}

/// An installed wrk and the script it runs.
#[derive(Debug)]
pub(crate) struct Wrk {
    /// `wrk -v`'s first line without the copyright, e.g. `wrk debian/4.1.0-3+b2 [epoll]`.
    pub(crate) version: String,
    script: PathBuf,
}

impl Wrk {
    /// Finds wrk, installing it with `apt-get install -y wrk` when missing (as root; after
    /// `apt-get update` if the first attempt fails), and writes `wrk.lua` into `dir`.
    pub(crate) fn ensure(dir: &Path) -> Result<Wrk, Step> {
        if version().is_none() {
            install()?;
        }
        let version = version().ok_or_else(|| {
            Step("wrk was installed but `wrk -v` does not run; install it by hand".into())
        })?;
        let script = dir.join("wrk.lua");
        std::fs::write(&script, include_str!("wrk.lua"))
            .map_err(|e| Step(format!("writing {} ({e})", script.display())))?;
        eprintln!("xtask: load generator: {version}");
        Ok(Wrk { version, script })
    }

    /// Runs wrk on `cpu` against `url` with the tokens of `tokens` for `spec`.
    pub(crate) fn run(
        &self,
        cpu: Option<usize>,
        spec: LoadSpec,
        url: &str,
        tokens: &Path,
    ) -> Result<Load, Step> {
        let mut command = on_cpu(cpu, Path::new("wrk"));
        command
            .args(["-t1", &format!("-c{}", spec.connections)])
            .arg(format!("-d{}s", spec.seconds))
            // Long enough that no request is dropped from the latencies as a timeout.
            .args(["--timeout", "60s", "-s"])
            .arg(&self.script)
            .arg(url)
            .arg("--")
            .arg(tokens);
        let shown = format!("{command:?}");
        eprintln!("xtask: running {shown}");
        let out = command
            .output()
            .map_err(|e| Step(format!("{shown} ({e})")))?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            return Err(Step(format!("{shown} failed: {stderr}{stdout}")));
        }
        Load::parse(&stdout).map_err(|e| Step(format!("{shown}: {e}")))
    }
}

/// `wrk -v`'s first line; wrk exits 1 after printing it, so only the output counts.
fn version() -> Option<String> {
    let out = Command::new("wrk").arg("-v").output().ok()?;
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    let line = text.lines().find(|l| l.starts_with("wrk "))?;
    let line = line.split(" Copyright").next().unwrap_or(line);
    Some(line.trim().to_owned())
}

fn install() -> Result<(), Step> {
    let advice = "install it with `apt-get install wrk` (Debian/Ubuntu) and run again";
    if output("id", &["-u"]).as_deref() != Some("0") {
        return Err(Step(format!(
            "wrk (the HTTP load generator) is not installed and this is not root; {advice}"
        )));
    }
    eprintln!("xtask: wrk is missing: apt-get install -y wrk");
    let apt = |args: &[&str]| {
        Command::new("apt-get")
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|s| s.success())
    };
    if apt(&["install", "-y", "wrk"]) {
        return Ok(());
    }
    if apt(&["update"]) && apt(&["install", "-y", "wrk"]) {
        return Ok(());
    }
    Err(Step(format!(
        "wrk (the HTTP load generator) is not installed and `apt-get install -y wrk` failed; {advice}"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUMMARY: &str =
        "Running 10s test @ http://127.0.0.1:4000/\n  1 threads and 32 connections\n\
        Requests/sec:  51234.50\n\
        XTASK_WRK {\"requests\":512345,\"duration_us\":10000000,\"connect_errors\":0,\
        \"read_errors\":1,\"write_errors\":2,\"non_2xx\":3,\"timeouts\":0,\"mean_us\":612.5,\
        \"p50_us\":580,\"p90_us\":800,\"p99_us\":1450,\"max_us\":9876}\n";

    #[test]
    fn reads_the_summary_line() {
        let load = Load::parse(SUMMARY).unwrap();
        assert_eq!(load.requests, 512_345);
        assert_eq!(load.socket_errors, 3);
        assert_eq!(load.non_2xx, 3);
        assert_eq!((load.p50_us, load.p99_us, load.max_us), (580, 1450, 9876));
        assert_eq!(load.mean_us, 612.5);
        assert!((load.rate() - 51_234.5).abs() < 1e-6);
    }

    #[test]
    fn refuses_output_without_a_usable_summary() {
        assert!(Load::parse("Requests/sec: 5\n").is_err());
        assert!(Load::parse("XTASK_WRK {\"requests\":1}").is_err());
        let none = SUMMARY.replace("512345", "0");
        assert!(Load::parse(&none).unwrap_err().contains("no request"));
    }
}
