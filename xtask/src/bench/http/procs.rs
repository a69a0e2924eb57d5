//! The HTTP benchmark's child processes: pinned to a CPU with `taskset` where the machine
//! allows, talked to by lines of JSON, and stopped on every exit path.
//!
//! A [`Proc`] kills and reaps its process when dropped (early returns, errors, panics). Every
//! child also gets a pipe as stdin and exits when it closes, so none outlives the xtask even if
//! the xtask itself is killed; Ctrl-C reaches them all anyway (one process group).

use std::{
    io::{BufRead as _, BufReader, Write as _},
    path::{Path, PathBuf},
    process::{Child, ChildStdin, Command, Stdio},
    sync::mpsc::{self, Receiver, RecvTimeoutError},
    time::Duration,
};

use serde_json::Value;

use crate::{bench::machine::output, run::Step};

/// Where the server and the load generator run.
#[derive(Debug, Clone)]
pub(crate) struct Cpus {
    /// The CPU of the server under test (and of the check-time measurement).
    pub(crate) server: Option<usize>,
    /// The CPU of the load generator and the stand-in.
    pub(crate) load: Option<usize>,
    /// How that was decided, for the report.
    pub(crate) note: String,
}

impl Cpus {
    /// The first two CPUs this process may use, if there are two and `taskset` works.
    pub(crate) fn detect() -> Cpus {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let allowed = status
            .lines()
            .find_map(|l| l.strip_prefix("Cpus_allowed_list:"))
            .map(|list| cpu_list(list.trim()))
            .unwrap_or_default();
        let taskset = output("taskset", &["-V"]).is_some();
        match (allowed.as_slice(), taskset) {
            ([server, load, ..], true) => Cpus {
                server: Some(*server),
                load: Some(*load),
                note: format!(
                    "server pinned to CPU {server}; wrk and the stand-in to CPU {load} (`taskset -c`)"
                ),
            },
            (_, false) => Cpus::unpinned("`taskset` is not available"),
            (cpus, true) => Cpus::unpinned(&format!("{} CPU(s) available", cpus.len())),
        }
    }

    fn unpinned(why: &str) -> Cpus {
        Cpus {
            server: None,
            load: None,
            note: format!("not pinned ({why}): server and load generator share the CPUs"),
        }
    }
}

/// A command for `program`, run on `cpu` when given (`taskset -c <cpu> program`).
pub(crate) fn on_cpu(cpu: Option<usize>, program: &Path) -> Command {
    match cpu {
        Some(cpu) => {
            let mut command = Command::new("taskset");
            command.arg("-c").arg(cpu.to_string()).arg(program);
            command
        }
        None => Command::new(program),
    }
}

/// Parses a kernel CPU list (`0-3,6,8-9`).
pub(crate) fn cpu_list(list: &str) -> Vec<usize> {
    let mut cpus = Vec::new();
    for part in list.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let range: Option<(usize, usize)> = match part.split_once('-') {
            Some((a, b)) => a.parse().ok().zip(b.parse().ok()),
            None => part.parse::<usize>().ok().map(|n| (n, n)),
        };
        if let Some((a, b)) = range {
            cpus.extend(a..=b);
        }
    }
    cpus
}

/// A running child; killed and reaped when dropped.
pub(crate) struct Proc {
    name: String,
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<String>,
    log: PathBuf,
}

impl Proc {
    /// Starts `command` with piped stdin and stdout, stderr going to `log`.
    pub(crate) fn start(name: &str, mut command: Command, log: PathBuf) -> Result<Proc, Step> {
        let shown = format!("{command:?}");
        eprintln!("xtask: starting {name}: {shown}");
        let stderr = std::fs::File::create(&log)
            .map_err(|e| Step(format!("creating {} ({e})", log.display())))?;
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| Step(format!("starting {name}: {shown} ({e})")))?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take();
        let (tx, lines) = mpsc::channel();
        if let Some(stdout) = stdout {
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
        }
        Ok(Proc {
            name: name.to_owned(),
            child,
            stdin,
            lines,
            log,
        })
    }

    /// The process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The next line the process prints, parsed as JSON, within `timeout`.
    pub(crate) fn json_line(&mut self, timeout: Duration) -> Result<Value, Step> {
        let line = match self.lines.recv_timeout(timeout) {
            Ok(line) => line,
            Err(RecvTimeoutError::Timeout) => {
                return Err(self.failure(&format!("printed nothing for {timeout:?}")))
            }
            Err(RecvTimeoutError::Disconnected) => {
                let status = self.child.wait().map(|s| s.to_string()).unwrap_or_default();
                return Err(self.failure(&format!("exited ({status})")));
            }
        };
        let value: Value = serde_json::from_str(&line)
            .map_err(|e| self.failure(&format!("printed {line:?}, not JSON ({e})")))?;
        match value.get("error").and_then(Value::as_str) {
            Some(error) => Err(self.failure(&format!("answered an error: {error}"))),
            None => Ok(value),
        }
    }

    /// Sends `command` as one line and returns the JSON line it answers.
    pub(crate) fn ask(&mut self, command: &str) -> Result<Value, Step> {
        let sent = self
            .stdin
            .as_mut()
            .map(|stdin| writeln!(stdin, "{command}").and_then(|()| stdin.flush()));
        if !matches!(sent, Some(Ok(()))) {
            return Err(self.failure(&format!("could not be sent {command:?}")));
        }
        self.json_line(Duration::from_secs(10))
    }

    /// CPU time the process has used so far (user + system), from `/proc/<pid>/stat`.
    pub(crate) fn cpu_seconds(&self) -> Option<f64> {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.pid())).ok()?;
        Some(cpu_ticks(&stat, Ticks::Own)? as f64 / ticks_per_second())
    }

    fn failure(&self, what: &str) -> Step {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(5).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        Step(format!(
            "{} {what}; the end of {}:\n{}",
            self.name,
            self.log.display(),
            tail.join("\n")
        ))
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
        eprintln!("xtask: stopped {}", self.name);
    }
}

/// CPU time this process's reaped children have used so far (user + system): wrk's, once
/// it has exited and been waited for (`taskset` replaces itself with wrk).
pub(crate) fn children_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    Some(cpu_ticks(&stat, Ticks::Children)? as f64 / ticks_per_second())
}

fn ticks_per_second() -> f64 {
    output("getconf", &["CLK_TCK"])
        .and_then(|t| t.parse().ok())
        .unwrap_or(100.0)
}

/// Whose CPU time [`cpu_ticks`] reads.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ticks {
    /// The process's own (utime + stime, fields 14 and 15).
    Own,
    /// Its waited-for children's (cutime + cstime, fields 16 and 17).
    Children,
}

/// Clock ticks from the text of `/proc/<pid>/stat`, the fields counted after the command
/// name, which may itself hold spaces and parentheses.
pub(crate) fn cpu_ticks(stat: &str, whose: Ticks) -> Option<u64> {
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // after_name starts at field 3 (state): field n is at index n - 3.
    let first = match whose {
        Ticks::Own => 14 - 3,
        Ticks::Children => 16 - 3,
    };
    let user: u64 = fields.get(first)?.parse().ok()?;
    let system: u64 = fields.get(first + 1)?.parse().ok()?;
    Some(user + system)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cpu_lists() {
        assert_eq!(cpu_list("0-1"), [0, 1]);
        assert_eq!(cpu_list("0-2,5,7-8"), [0, 1, 2, 5, 7, 8]);
        assert_eq!(cpu_list("3"), [3]);
        assert!(cpu_list("").is_empty());
    }

    #[test]
    fn reads_cpu_ticks_past_an_odd_command_name() {
        let stat = "4242 (http server) (x)) S 1 4242 4242 0 -1 4194560 500 0 0 0 \
                    1234 56 0 0 20 0 3 0 100 1000 200";
        assert_eq!(cpu_ticks(stat, Ticks::Own), Some(1290));
        assert_eq!(cpu_ticks(stat, Ticks::Children), Some(0));
        let with_children = stat.replace(" 1234 56 0 0 ", " 1234 56 70 8 ");
        assert_eq!(cpu_ticks(&with_children, Ticks::Children), Some(78));
        assert_eq!(cpu_ticks("garbage", Ticks::Own), None);
    }

    #[test]
    fn a_dropped_child_is_killed_and_lines_come_as_json() {
        let log = std::env::temp_dir().join(format!("xtask-proc-{}.log", std::process::id()));
        let mut command = Command::new("sh");
        command.args([
            "-c",
            "echo '{\"ready\":true}'; read line; echo \"{\\\"got\\\":\\\"$line\\\"}\"; exec sleep 600",
        ]);
        let mut proc = Proc::start("sh", command, log.clone()).unwrap();
        assert_eq!(
            proc.json_line(Duration::from_secs(10)).unwrap()["ready"],
            true
        );
        assert_eq!(proc.ask("ping").unwrap()["got"], "ping");
        assert!(proc.cpu_seconds().is_some());
        let pid = proc.pid();
        drop(proc);
        assert!(!Path::new(&format!("/proc/{pid}")).exists());
        let _ = std::fs::remove_file(log);
    }

    #[test]
    fn says_when_a_child_exits_before_answering() {
        let log = std::env::temp_dir().join(format!("xtask-exit-{}.log", std::process::id()));
        let mut command = Command::new("sh");
        command.args(["-c", "echo 'no port to bind' >&2; exit 3"]);
        let mut proc = Proc::start("server", command, log.clone()).unwrap();
        let err = proc.json_line(Duration::from_secs(10)).unwrap_err().0;
        assert!(
            err.contains("server exited") && err.contains("no port to bind"),
            "{err}"
        );
        let _ = std::fs::remove_file(log);
    }
}
