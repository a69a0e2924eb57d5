//! The per-request cost of the check itself, beside the HTTP benchmark's servers (and pinned
//! to the same CPU): the ECDSA P-256 check alone ([`EcdsaCheck`]) and the warm `JwksVerifier`
//! with its token cache off, on the first token of the setup. Each is measured like the peers
//! (one second of warm-up, then the median rate of 20 batches); prints one JSON line with the
//! time per call in nanoseconds.
//!
//! Usage: `http_check_time <setup-file> [seconds]` (run by `cargo xtask bench --http`).

use std::{hint::black_box, path::PathBuf};

use serde_json::json;
use stack_auth_benchmarks::{rate, runtime, BenchError, EcdsaCheck, HttpSetup};
use stack_auth_core::TokenVerifier;
use stack_auth_jwks::JwksVerifier;

fn main() -> Result<(), BenchError> {
    let mut args = std::env::args().skip(1);
    let setup = HttpSetup::read(&PathBuf::from(
        args.next()
            .ok_or("usage: http_check_time <setup-file> [seconds]")?,
    ))?;
    let seconds: f64 = args.next().map_or(Ok(3.0), |s| s.parse())?;
    let token = setup.tokens[0].as_str();
    let ecdsa = EcdsaCheck::new(token, &setup.jwks_json)?;
    if !ecdsa.verify() {
        return Err("the setup's token does not pass the ECDSA check".into());
    }
    let rt = runtime(1);
    let _context = rt.enter();
    let verifier = JwksVerifier::builder_with_config(setup.config()?)
        .disable_token_cache()
        .build()?;
    rt.block_on(verifier.verify(token))?;
    let ecdsa_rate = rate(seconds, || {
        black_box(ecdsa.verify());
    });
    let verifier_rate = rate(seconds, || {
        // The warm path never waits: polling it on this thread measures the verifier.
        let user = futures::executor::block_on(verifier.verify(black_box(token)));
        black_box(user.is_ok());
    });
    let line = json!({
        "ecdsa_only_ns": 1e9 / ecdsa_rate,
        "jwks_verifier_ns": 1e9 / verifier_rate,
    });
    println!("{line}");
    Ok(())
}
