//! What the benches ran on: CPU, load, toolchain and the versions of the crates measured.

use std::process::Command;

use super::Paths;

/// Crates whose locked versions the report names.
const LOCKED: &[&str] = &[
    "jsonwebtoken",
    "aws-lc-rs",
    "aws-lc-sys",
    "moka",
    "tokio",
    "criterion",
];

/// The machine and toolchain, read before the benches run.
pub(crate) struct Machine {
    pub(crate) date: String,
    pub(crate) cpu: String,
    pub(crate) cores: usize,
    pub(crate) memory: String,
    pub(crate) kernel: String,
    pub(crate) rustc: String,
    pub(crate) commit: String,
    pub(crate) load_before: String,
    /// `(crate, version)` from `Cargo.lock`.
    pub(crate) locked: Vec<(String, String)>,
}

impl Machine {
    pub(crate) fn collect(paths: &Paths) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let field = |text: &str, name: &str| {
            text.lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        };
        let memory = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|m| field(&m, "MemTotal"))
            .and_then(|kb| kb.trim_end_matches("kB").trim().parse::<u64>().ok())
            .map_or_else(unknown, |kb| {
                format!("{:.1} GiB", kb as f64 / 1024.0 / 1024.0)
            });
        let lock = std::fs::read_to_string(paths.root.join("Cargo.lock")).unwrap_or_default();
        Machine {
            date: output("date", &["-u", "+%Y-%m-%d %H:%M UTC"]).unwrap_or_else(unknown),
            cpu: field(&cpuinfo, "model name").unwrap_or_else(unknown),
            cores: std::thread::available_parallelism().map_or(0, usize::from),
            memory,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
                .map_or_else(|_| unknown(), |k| format!("Linux {}", k.trim())),
            rustc: output("rustc", &["-V"]).unwrap_or_else(unknown),
            commit: commit(paths),
            load_before: load_average(),
            locked: LOCKED
                .iter()
                .map(|name| {
                    let version = locked_version(&lock, name).unwrap_or_else(unknown);
                    ((*name).to_owned(), version)
                })
                .collect(),
        }
    }
}

fn unknown() -> String {
    "unknown".to_owned()
}

/// The 1, 5 and 15 minute load averages.
pub(crate) fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg").map_or_else(
        |_| unknown(),
        |l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "),
    )
}

/// The trimmed stdout of a command that succeeded.
pub(crate) fn output(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program).args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn commit(paths: &Paths) -> String {
    let root = paths.root.to_string_lossy();
    let Some(head) = output("git", &["-C", &root, "rev-parse", "--short", "HEAD"]) else {
        return unknown();
    };
    // The report itself does not count: every run rewrites it.
    let status = [
        "-C",
        &root,
        "status",
        "--porcelain",
        "--untracked-files=no",
        "--",
        ".",
        ":!BENCHMARKS.md",
    ];
    let dirty = output("git", &status).is_some_and(|s| !s.is_empty());
    if dirty {
        format!("{head} (with uncommitted changes)")
    } else {
        head
    }
}

/// The version of `name` in a `Cargo.lock` (the first, if several are locked).
pub(crate) fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim().strip_prefix("version = \"")?;
            return Some(version.trim_end_matches('"').to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_locked_versions() {
        let lock = "[[package]]\nname = \"jsonwebtoken\"\nversion = \"12.1.0\"\n\n\
                    [[package]]\nname = \"jsonwebtoken-extra\"\nversion = \"1.0.0\"\n";
        assert_eq!(
            locked_version(lock, "jsonwebtoken").as_deref(),
            Some("12.1.0")
        );
        assert_eq!(
            locked_version(lock, "jsonwebtoken-extra").as_deref(),
            Some("1.0.0")
        );
        assert_eq!(locked_version(lock, "aws-lc-rs"), None);
    }
}
