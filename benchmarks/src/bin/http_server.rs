//! One server of the HTTP benchmark on 127.0.0.1 (an ephemeral port): prints
//! `{"listening":"127.0.0.1:<port>"}` once it accepts connections, and exits when stdin
//! closes. The tokio runtime has as many workers as the CPUs this process may run on (one when
//! `taskset` pins it), as `#[tokio::main]` would.
//!
//! Usage: `http_server <plain|jwks|jwks-no-cache|composite|jwks-tail> <setup-file>` (started by
//! `cargo xtask bench --http`).

use std::{io::Write as _, path::PathBuf};

use serde_json::json;
use stack_auth_benchmarks::{
    app, exit_when_stdin_closes, BenchError, FetchWaits, HttpSetup, ServerKind,
};

fn main() -> Result<(), BenchError> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: http_server <kind> <setup-file>";
    let kind: ServerKind = args.next().ok_or(usage)?.parse()?;
    let setup = HttpSetup::read(&PathBuf::from(args.next().ok_or(usage)?))?;
    exit_when_stdin_closes();
    let waits = if kind == ServerKind::JwksTail {
        let layer = FetchWaits::new();
        let counts = layer.counts();
        layer.install()?;
        Some(counts)
    } else {
        None
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let router = app(kind, &setup, waits).await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{}",
            json!({ "listening": listener.local_addr()?.to_string() })
        )?;
        out.flush()?;
        drop(out);
        axum::serve(listener, router).await?;
        Ok(())
    })
}
