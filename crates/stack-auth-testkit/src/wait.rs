//! [`eventually`] and [`quantile`]: for tests of things that happen in the background (an
//! eviction crossing Redis, a reconnection), which wait with a deadline instead of a fixed sleep
//! and report delays as quantiles instead of asserting them.

use std::{
    future::Future,
    time::{Duration, Instant},
};

/// How long [`eventually`] waits before it gives up.
pub const EVENTUALLY_WITHIN: Duration = Duration::from_secs(20);

/// Waits until `check` answers `true`, asking again every 2 ms for up to
/// [`EVENTUALLY_WITHIN`] (on the wall clock: what it waits for is real I/O).
///
/// # Panics
///
/// When `check` never answers `true` in time; the message names `what`.
///
/// ```
/// # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
/// let started = std::time::Instant::now();
/// stack_auth_testkit::eventually("a millisecond passed", || async {
///     started.elapsed().as_millis() >= 1
/// })
/// .await;
/// # });
/// ```
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + EVENTUALLY_WITHIN;
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("timed out waiting until {what}");
}

/// The `q`-quantile (0 to 1) of `sorted`, by nearest rank; zero for no samples.
///
/// ```
/// use std::time::Duration;
///
/// let ms: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
/// assert_eq!(stack_auth_testkit::quantile(&ms, 0.5), Duration::from_millis(50));
/// assert_eq!(stack_auth_testkit::quantile(&ms, 0.99), Duration::from_millis(99));
/// ```
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}
