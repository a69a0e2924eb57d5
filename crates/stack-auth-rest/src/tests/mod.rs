//! In-crate tests that drive the verifier through a scripted transport, so retries, backoff,
//! Retry-After, deadlines, the breaker and single flight run under paused Tokio time.

mod caching;
mod resilience;
mod scripted;
mod unverified;
