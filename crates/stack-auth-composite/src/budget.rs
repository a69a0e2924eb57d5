//! [`UnknownKeyBudget`]: how many tokens whose key the JWT check does not know may be sent to
//! REST, shared by every caller of one verifier.

use std::{
    fmt,
    sync::{Mutex, PoisonError},
    time::Duration,
};

use tokio::time::Instant;

/// The unknown-key budget a builder starts with: 5 per minute.
pub const DEFAULT_UNKNOWN_KEY_BUDGET: UnknownKeyBudget = UnknownKeyBudget::per_minute(5);

/// How many tokens the JWT check refused as `unknown_key` (and the screen let through) may be
/// sent to REST, under [`UnknownKeyPolicy::AskRest`](crate::UnknownKeyPolicy::AskRest).
///
/// Such a token can be made by anyone who knows the (public) project id: an invented `kid` and
/// plausible claims pass the screen, and each costs a users/me request carrying the secret
/// server key. The budget is a token bucket per verifier (its clones share it): up to
/// `requests` at once, refilled evenly over `per`. Once it is spent, such tokens are refused as
/// `unknown_key` without a request until it refills. Time is Tokio's monotonic clock.
///
/// ```
/// use std::time::Duration;
/// use stack_auth_composite::UnknownKeyBudget;
///
/// let budget = UnknownKeyBudget::new(20, Duration::from_secs(3600));
/// assert_eq!(budget.requests(), 20);
/// assert_eq!(UnknownKeyBudget::per_minute(5).per(), Duration::from_secs(60));
/// assert_eq!(UnknownKeyBudget::none().requests(), 0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UnknownKeyBudget {
    requests: u32,
    per: Duration,
}

impl UnknownKeyBudget {
    /// Up to `requests` at once, refilled evenly over `per` (one every `per / requests`).
    pub const fn new(requests: u32, per: Duration) -> Self {
        UnknownKeyBudget { requests, per }
    }

    /// Up to `requests` per minute.
    pub const fn per_minute(requests: u32) -> Self {
        UnknownKeyBudget::new(requests, Duration::from_secs(60))
    }

    /// Nothing: unknown keys are refused without asking REST, like
    /// [`UnknownKeyPolicy::Refuse`](crate::UnknownKeyPolicy::Refuse).
    pub const fn none() -> Self {
        UnknownKeyBudget::new(0, Duration::from_secs(60))
    }

    /// How many may be sent at once (the bucket's size).
    pub const fn requests(&self) -> u32 {
        self.requests
    }

    /// Over how long the bucket refills completely.
    pub const fn per(&self) -> Duration {
        self.per
    }
}

impl Default for UnknownKeyBudget {
    /// [`DEFAULT_UNKNOWN_KEY_BUDGET`].
    fn default() -> Self {
        DEFAULT_UNKNOWN_KEY_BUDGET
    }
}

/// The budget's state: a generic cell rate algorithm (a token bucket kept as the theoretical
/// arrival time of the next request), so it needs no timer and one lock held for a few
/// comparisons.
pub(crate) struct Bucket {
    /// Between two requests when the bucket is empty (`per / requests`); `None`: no budget.
    interval: Option<Duration>,
    /// How far ahead of now the arrival time may run: a full bucket's worth, minus one.
    tolerance: Duration,
    next: Mutex<Option<Instant>>,
}

impl Bucket {
    pub(crate) fn new(budget: UnknownKeyBudget) -> Self {
        let interval = (budget.requests > 0).then(|| budget.per / budget.requests);
        Bucket {
            interval,
            tolerance: interval.map_or(Duration::ZERO, |i| budget.per.saturating_sub(i)),
            next: Mutex::new(None),
        }
    }

    /// Takes one from the budget; `false` when it is spent.
    pub(crate) fn try_take(&self) -> bool {
        let Some(interval) = self.interval else {
            return false;
        };
        let now = Instant::now();
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let at = next.map_or(now, |n| n.max(now));
        if at.saturating_duration_since(now) > self.tolerance {
            return false;
        }
        *next = Some(at + interval);
        true
    }
}

impl fmt::Debug for Bucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Bucket")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(bucket: &Bucket, tries: usize) -> usize {
        (0..tries).filter(|_| bucket.try_take()).count()
    }

    #[tokio::test(start_paused = true)]
    async fn a_full_bucket_then_one_per_interval() {
        let bucket = Bucket::new(UnknownKeyBudget::per_minute(5));
        assert_eq!(taken(&bucket, 100), 5);
        tokio::time::advance(Duration::from_millis(11_999)).await;
        assert_eq!(taken(&bucket, 100), 0);
        tokio::time::advance(Duration::from_millis(1)).await;
        assert_eq!(taken(&bucket, 100), 1);
        tokio::time::advance(Duration::from_secs(36)).await;
        assert_eq!(taken(&bucket, 100), 3);
        // Idle for longer than the period: full again, never more than full.
        tokio::time::advance(Duration::from_secs(600)).await;
        assert_eq!(taken(&bucket, 100), 5);
    }

    #[tokio::test(start_paused = true)]
    async fn no_budget_never_takes() {
        let bucket = Bucket::new(UnknownKeyBudget::none());
        assert_eq!(taken(&bucket, 10), 0);
        tokio::time::advance(Duration::from_secs(3600)).await;
        assert_eq!(taken(&bucket, 10), 0);
    }
}
