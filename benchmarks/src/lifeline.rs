//! [`exit_when_stdin_closes`]: the benchmark's child processes end with their parent.

use std::io::Read as _;

/// Exits this process (status 0) as soon as its standard input reaches end of file, which
/// happens when the parent that holds the other end of the pipe exits or is killed, however it
/// ends. `cargo xtask bench --http` starts every server with a pipe as standard input, so no
/// server outlives it even if it is killed before it can stop them.
pub fn exit_when_stdin_closes() {
    std::thread::spawn(|| {
        let mut sink = [0u8; 64];
        let mut stdin = std::io::stdin();
        while matches!(stdin.read(&mut sink), Ok(n) if n > 0) {}
        std::process::exit(0);
    });
}
