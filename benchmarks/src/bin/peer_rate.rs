//! Our side of the peer comparison, measured the way the peers' scripts measure theirs: the
//! interop `normal-user` token verified by a warm `JwksVerifier` with its token cache off (the
//! signature checked every call), one second of warm-up, then the median rate of 20 batches.
//! Prints one JSON line like the scripts in `benchmarks/peers/`.
//!
//! Usage: `cargo run --release -p stack-auth-benchmarks --bin peer_rate -- [interop-dir] [seconds]`

use std::{hint::black_box, path::PathBuf};

use serde_json::json;
use stack_auth_benchmarks::{interop_dir, rate, runtime, BenchError, InteropToken};
use stack_auth_core::TokenVerifier;

fn main() -> Result<(), BenchError> {
    let mut args = std::env::args().skip(1);
    let dir = args.next().map_or_else(interop_dir, PathBuf::from);
    let seconds: f64 = args.next().map_or(Ok(10.0), |s| s.parse())?;
    let fixture = InteropToken::load(&dir)?;
    let served = fixture.serve();
    let rt = runtime(1);
    let _context = rt.enter();
    let verifier = rt.block_on(fixture.jwks_verifier(&served, false))?;
    let ops_per_sec = rate(seconds, || {
        // The warm path never waits: polling it on this thread measures the verifier.
        let user = futures::executor::block_on(verifier.verify(black_box(&fixture.token)));
        black_box(user.is_ok());
    });
    let line = json!({
        "library": "stack-auth-jwks JwksVerifier, token cache off",
        "runtime": "Rust, release profile",
        "ops_per_sec": ops_per_sec,
        "batches": 20,
    });
    println!("{line}");
    Ok(())
}
