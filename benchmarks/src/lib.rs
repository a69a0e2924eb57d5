//! Shared fixtures of the stack-auth-rs benchmarks: a local Stack Auth stand-in with warm
//! verifiers, distinct tokens, resident-memory readings and the result files `cargo xtask bench`
//! reads to write `BENCHMARKS.md`.
//!
//! ```
//! use stack_auth_benchmarks::{runtime, StandIn};
//! use stack_auth_core::TokenVerifier;
//!
//! let rt = runtime(1);
//! rt.block_on(async {
//!     let stand_in = StandIn::start().await?;
//!     let verifier = stand_in.jwks_verifier(false).await?; // keys fetched, token cache off
//!     let user = verifier.verify(stand_in.token()).await?;
//!     assert_eq!(user.user_id(), stand_in.user_id());
//!     Ok::<(), stack_auth_benchmarks::BenchError>(())
//! })?;
//! # Ok::<(), stack_auth_benchmarks::BenchError>(())
//! ```
//!
//! The benches live in `benches/` (`threads`, `composite`, `rest`, `memory`, `revocation`;
//! `fleet`, which needs a `redis-server`); the peers' scripts (Node `jose`, PyJWT) in `peers/`.
//! Run them with `cargo xtask bench [--peers]` (the fleet with `cargo xtask bench --redis`).
//! The HTTP benchmark (`cargo xtask bench --http`) runs the binaries in `src/bin/`:
//! `http_stand_in` (the stand-in, driven by [`Command`]s), `http_server` (the servers of
//! [`ServerKind`]) and `http_check_time` (the [`EcdsaCheck`] alone and the verifier alone).
//! This package has no features and is not published. Sibling crates measured:
//! `stack-auth-jwks`, `stack-auth-rest`, `stack-auth-composite`; the stand-in comes from
//! `stack-auth-testkit`.

mod ecdsa;
mod fetch_waits;
mod http_app;
mod http_setup;
mod interop;
mod lifeline;
mod paired;
mod parallel;
mod results;
mod rss;
mod stand_in;
mod stand_in_control;
mod webhook;

pub use ecdsa::EcdsaCheck;
pub use fetch_waits::{FetchWaitCounts, FetchWaits};
pub use http_app::{app, ServerKind, TailTimings, TAIL_TIMINGS};
pub use http_setup::HttpSetup;
pub use interop::{interop_dir, EcdsaInput, InteropToken, ServedJwks};
pub use lifeline::exit_when_stdin_closes;
pub use paired::{paired, paired_together, per_call, rate, Batch, Paired};
pub use parallel::on_threads;
pub use results::{latency_summary, write_results, RESULTS_DIR_ENV};
pub use rss::resident_kib;
pub use stand_in::{StandIn, TOKEN_LIFETIME};
pub use stand_in_control::{Command, StandInControl};
pub use webhook::user_deleted_delivery;

/// Any failure while setting a benchmark up.
pub type BenchError = Box<dyn std::error::Error + Send + Sync>;

/// A multi-thread tokio runtime with `workers` worker threads, timers and I/O enabled.
///
/// # Panics
///
/// When the operating system refuses to start the threads (nothing to measure then).
#[allow(clippy::expect_used)]
pub fn runtime(workers: usize) -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("a tokio runtime")
}
