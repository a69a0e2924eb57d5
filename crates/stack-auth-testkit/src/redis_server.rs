//! [`RedisServer`]: a real `redis-server` process of a test's own, on 127.0.0.1 with a free port
//! and no persistence, killed when dropped. Tests of the shared cache and the eviction bus run
//! against it (nothing is mocked at the Redis protocol level), and can kill and restart it.
//!
//! It needs the `redis-server` program (Debian and Ubuntu: `apt-get install -y redis-server`;
//! macOS: `brew install redis`); without it, [`RedisServer::start`] fails with
//! [`RedisServerError::NotInstalled`], which says so.

use std::{
    fmt,
    io::{Read, Write},
    net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::atomic::{AtomicU64, Ordering},
    time::{Duration, Instant},
};

/// The program started.
const PROGRAM: &str = "redis-server";

/// How long a started server has to answer `PING`.
const READY_WITHIN: Duration = Duration::from_secs(10);

/// Why a [`RedisServer`] could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RedisServerError {
    /// `redis-server` is not on `PATH`.
    #[error(
        "redis-server is not installed (not on PATH): the shared-cache and eviction-bus tests \
         run a real Redis; install it with `apt-get install -y redis-server` (Debian, Ubuntu; \
         as root) or `brew install redis` (macOS)"
    )]
    NotInstalled,
    /// The process could not be started, or did not answer `PING` in time.
    #[error("redis-server did not start: {0}")]
    Start(String),
}

/// A `redis-server` process of its own, on 127.0.0.1: no persistence (`--save ''
/// --appendonly no`), its working files in a temporary directory, killed and cleaned up when
/// dropped.
///
/// ```no_run
/// use stack_auth_testkit::RedisServer;
///
/// let mut redis = RedisServer::start()?;
/// let url = redis.url(); // redis://127.0.0.1:<port>/
/// redis.pause();         // hangs: connections stay open, nothing is answered
/// redis.resume();
/// redis.kill();          // as if it crashed: clients see the connection drop
/// redis.restart()?;      // the same port and arguments, empty again
/// # Ok::<(), stack_auth_testkit::RedisServerError>(())
/// ```
pub struct RedisServer {
    child: Option<Child>,
    port: u16,
    args: Vec<String>,
    dir: PathBuf,
}

impl RedisServer {
    /// Starts a server on a free port of 127.0.0.1.
    ///
    /// # Errors
    ///
    /// [`RedisServerError::NotInstalled`] without `redis-server` on `PATH`;
    /// [`RedisServerError::Start`] when it does not answer `PING` within 10 s.
    pub fn start() -> Result<RedisServer, RedisServerError> {
        RedisServer::start_with(&[])
    }

    /// Starts a server with extra `redis-server` arguments (each a separate word, e.g.
    /// `["--user", "app", "on", ">secret", "~*", "&*", "+@all"]` for an ACL user, or the
    /// `--tls-*` options). The plain port stays open on 127.0.0.1 for [`RedisServer::url`].
    ///
    /// # Errors
    ///
    /// As [`RedisServer::start`].
    pub fn start_with(args: &[&str]) -> Result<RedisServer, RedisServerError> {
        static SEQ: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "stack-auth-redis-{}-{}",
            std::process::id(),
            SEQ.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| RedisServerError::Start(format!("creating {} ({e})", dir.display())))?;
        let mut server = RedisServer {
            child: None,
            port: free_port()?,
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            dir,
        };
        server.spawn()?;
        Ok(server)
    }

    /// `redis://127.0.0.1:<port>/`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// The plain port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Whether the process is running (not killed).
    pub fn is_running(&self) -> bool {
        self.child.is_some()
    }

    /// Kills the process (`SIGKILL`, as a crash) and waits for it; what it held is gone.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Stops the process (`SIGSTOP`): connections stay open but nothing is answered, as with
    /// a Redis that hangs. [`RedisServer::resume`] continues it.
    pub fn pause(&self) {
        self.signal("STOP");
    }

    /// Continues a process stopped by [`RedisServer::pause`] (`SIGCONT`).
    pub fn resume(&self) {
        self.signal("CONT");
    }

    fn signal(&self, name: &str) {
        if let Some(child) = &self.child {
            // The shell's built-in `kill`: no procps needed.
            let _ = Command::new("sh")
                .arg("-c")
                .arg(format!("kill -{name} {}", child.id()))
                .status();
        }
    }

    /// Kills the process if it runs, then starts it again on the same port with the same
    /// arguments, empty.
    ///
    /// # Errors
    ///
    /// As [`RedisServer::start`].
    pub fn restart(&mut self) -> Result<(), RedisServerError> {
        self.kill();
        self.spawn()
    }

    fn spawn(&mut self) -> Result<(), RedisServerError> {
        let port = self.port.to_string();
        let mut command = Command::new(PROGRAM);
        command
            .args(["--port", &port, "--bind", "127.0.0.1", "--save", ""])
            .args(["--appendonly", "no", "--daemonize", "no", "--loglevel"])
            .arg("warning")
            .arg("--dir")
            .arg(&self.dir)
            .args(&self.args)
            .stdin(Stdio::null());
        let log = self.dir.join("redis.log");
        let output = std::fs::File::create(&log)
            .and_then(|out| Ok((out.try_clone()?, out)))
            .map_err(|e| RedisServerError::Start(format!("creating {} ({e})", log.display())))?;
        command.stdout(output.0).stderr(output.1);
        let mut child = command.spawn().map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => RedisServerError::NotInstalled,
            _ => RedisServerError::Start(format!("spawning {PROGRAM} ({e})")),
        })?;
        let deadline = Instant::now() + READY_WITHIN;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = child.try_wait() {
                let said = std::fs::read_to_string(&log).unwrap_or_default();
                return Err(RedisServerError::Start(format!(
                    "{PROGRAM} exited ({status}): {}",
                    said.trim()
                )));
            }
            if answers_ping(self.port) {
                self.child = Some(child);
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(RedisServerError::Start(format!(
            "no PONG on 127.0.0.1:{} within {READY_WITHIN:?}",
            self.port
        )))
    }
}

/// A port the kernel just handed out and took back (the server binds it a moment later).
fn free_port() -> Result<u16, RedisServerError> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| RedisServerError::Start(format!("finding a free port ({e})")))
}

/// Whether a Redis on `port` answers an inline `PING` (an ACL server answers `-NOAUTH`,
/// which shows it is up too).
fn answers_ping(port: u16) -> bool {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let Ok(mut stream) = TcpStream::connect_timeout(&addr, Duration::from_millis(200)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    if stream.write_all(b"PING\r\n").is_err() {
        return false;
    }
    let mut reply = [0u8; 16];
    matches!(stream.read(&mut reply), Ok(n) if n > 0 && (reply[0] == b'+' || reply[0] == b'-'))
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl fmt::Debug for RedisServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisServer")
            .field("port", &self.port)
            .field("running", &self.is_running())
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_answers_dies_and_comes_back_on_the_same_port() {
        let mut redis = match RedisServer::start() {
            Ok(redis) => redis,
            Err(e) => panic!("{e}"),
        };
        let port = redis.port();
        assert!(answers_ping(port));
        assert_eq!(redis.url(), format!("redis://127.0.0.1:{port}/"));
        redis.kill();
        assert!(!redis.is_running());
        assert!(!answers_ping(port), "a killed server must not answer");
        if let Err(e) = redis.restart() {
            panic!("{e}");
        }
        assert!(answers_ping(port));
    }

    #[test]
    fn a_missing_program_says_how_to_install_it() {
        let text = RedisServerError::NotInstalled.to_string();
        assert!(text.contains("apt-get install -y redis-server"), "{text}");
    }
}
