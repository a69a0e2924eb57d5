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
//! The benches live in `benches/` (`threads`, `composite`, `rest`, `memory`); the peers'
//! scripts (Node `jose`, PyJWT) in `peers/`. Run them all with `cargo xtask bench [--peers]`.
//! This package has no features and is not published. Sibling crates measured:
//! `stack-auth-jwks`, `stack-auth-rest`, `stack-auth-composite`; the stand-in comes from
//! `stack-auth-testkit`.

mod interop;
mod paired;
mod parallel;
mod results;
mod rss;
mod stand_in;

pub use interop::{interop_dir, EcdsaInput, InteropToken, ServedJwks};
pub use paired::{paired, paired_together, per_call, rate, Batch, Paired};
pub use parallel::on_threads;
pub use results::{write_results, RESULTS_DIR_ENV};
pub use rss::resident_kib;
pub use stand_in::{StandIn, TOKEN_LIFETIME};

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
