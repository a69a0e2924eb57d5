//! [`RequestBudget`] and [`TokenBucket`]: how many requests a kind of credential nothing has
//! vouched for may cost (for verifier implementations). The composite's unknown-key budget and
//! the REST API-key verifier's unknown-key budget are one bucket.
//!
//! Anyone can make a string that passes a local screen (a JWT naming an invented key id, an
//! API key in the right format with a correct checksum), and each would cost a request
//! carrying the secret server key. A budget bounds that: a token bucket per verifier, up to
//! `requests` at once, refilled evenly over `per`.
//!
//! Core stays runtime-free: the caller passes the monotonic time (with Tokio,
//! `tokio::time::Instant::now().into_std()`, which follows paused test time).
//!
//! ```
//! use std::time::{Duration, Instant};
//! use stack_auth_core::budget::{RequestBudget, TokenBucket};
//!
//! let bucket = TokenBucket::new(RequestBudget::per_minute(2));
//! let now = Instant::now();
//! assert!(bucket.try_take(now) && bucket.try_take(now));
//! assert!(!bucket.try_take(now), "spent");
//! assert!(bucket.try_take(now + Duration::from_secs(30)), "one back after a refill interval");
//! ```

use std::{
    fmt,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

/// A request budget: up to [`requests`](Self::requests) at once, refilled evenly over
/// [`per`](Self::per) (one every `per / requests`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RequestBudget {
    requests: u32,
    per: Duration,
}

impl RequestBudget {
    /// Up to `requests` at once, refilled evenly over `per`.
    pub const fn new(requests: u32, per: Duration) -> Self {
        RequestBudget { requests, per }
    }

    /// Up to `requests` per minute.
    pub const fn per_minute(requests: u32) -> Self {
        RequestBudget::new(requests, Duration::from_secs(60))
    }

    /// Nothing: every request the budget guards is refused.
    pub const fn none() -> Self {
        RequestBudget::new(0, Duration::from_secs(60))
    }

    /// How many may be sent at once (the bucket's size).
    pub const fn requests(&self) -> u32 {
        self.requests
    }

    /// Over how long the bucket refills completely.
    pub const fn per(&self) -> Duration {
        self.per
    }

    /// Whether the budget is usable as configured: `per` at most `max`, and a refill interval
    /// (`per / requests`) of at least a nanosecond. Builders refuse other budgets.
    pub fn is_valid(&self, max: Duration) -> bool {
        self.per <= max && (self.requests == 0 || !(self.per / self.requests).is_zero())
    }
}

/// The budget's state: a generic cell rate algorithm (a token bucket kept as the theoretical
/// arrival time of the next request), so it needs no timer and one lock held for a few
/// comparisons. Share it (`Arc`) between the clones of a verifier.
pub struct TokenBucket {
    /// Between two requests when the bucket is empty (`per / requests`); `None`: no budget.
    interval: Option<Duration>,
    /// How far ahead of now the arrival time may run: a full bucket's worth, minus one.
    tolerance: Duration,
    next: Mutex<Option<Instant>>,
}

impl TokenBucket {
    /// A full bucket for `budget`.
    pub fn new(budget: RequestBudget) -> Self {
        let interval = (budget.requests > 0).then(|| budget.per / budget.requests);
        TokenBucket {
            interval,
            tolerance: interval.map_or(Duration::ZERO, |i| budget.per.saturating_sub(i)),
            next: Mutex::new(None),
        }
    }

    /// Takes one from the budget at monotonic time `now`; `false` when it is spent.
    pub fn try_take(&self, now: Instant) -> bool {
        let Some(interval) = self.interval else {
            return false;
        };
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let at = next.map_or(now, |n| n.max(now));
        if at.saturating_duration_since(now) > self.tolerance {
            return false;
        }
        *next = Some(at + interval);
        true
    }

    /// Whether one could be taken at `now`, without taking it: for a budget charged only
    /// once the outcome is known (see [`charge`](Self::charge)).
    pub fn has_room(&self, now: Instant) -> bool {
        let Some(_) = self.interval else {
            return false;
        };
        let next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        next.is_none_or(|n| n.saturating_duration_since(now) <= self.tolerance)
    }

    /// Takes one from the budget at `now` even when it is spent (the request was sent while
    /// there was room and turned out to be one the budget counts): the bucket goes into debt,
    /// and stays shut until the debt is refilled, so concurrent requests that all found room
    /// delay the next ones by as much as they overspent.
    pub fn charge(&self, now: Instant) {
        let Some(interval) = self.interval else {
            return;
        };
        let mut next = self.next.lock().unwrap_or_else(PoisonError::into_inner);
        let at = next.map_or(now, |n| n.max(now));
        *next = Some(at + interval);
    }
}

impl fmt::Debug for TokenBucket {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenBucket")
            .field("interval", &self.interval)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(bucket: &TokenBucket, now: Instant, tries: usize) -> usize {
        (0..tries).filter(|_| bucket.try_take(now)).count()
    }

    #[test]
    fn a_full_bucket_then_one_per_interval() {
        let bucket = TokenBucket::new(RequestBudget::per_minute(5));
        let t0 = Instant::now();
        assert_eq!(taken(&bucket, t0, 100), 5);
        assert_eq!(taken(&bucket, t0 + Duration::from_millis(11_999), 100), 0);
        assert_eq!(taken(&bucket, t0 + Duration::from_secs(12), 100), 1);
        assert_eq!(taken(&bucket, t0 + Duration::from_secs(48), 100), 3);
        // Idle for longer than the period: full again, never more than full.
        assert_eq!(taken(&bucket, t0 + Duration::from_secs(648), 100), 5);
    }

    #[test]
    fn no_budget_never_takes_nor_has_room() {
        let bucket = TokenBucket::new(RequestBudget::none());
        let t0 = Instant::now();
        assert_eq!(taken(&bucket, t0, 10), 0);
        assert!(!bucket.has_room(t0 + Duration::from_secs(3600)));
    }

    #[test]
    fn charges_go_into_debt_and_room_returns_once_it_is_refilled() {
        let bucket = TokenBucket::new(RequestBudget::per_minute(2));
        let t0 = Instant::now();
        assert!(bucket.has_room(t0));
        for _ in 0..4 {
            bucket.charge(t0);
        }
        assert!(!bucket.has_room(t0));
        // Four charged, two fit: two intervals of debt (60 s) before room again.
        assert!(!bucket.has_room(t0 + Duration::from_secs(59)));
        assert!(bucket.has_room(t0 + Duration::from_secs(90)));
        assert!(
            bucket.has_room(t0 + Duration::from_secs(90)),
            "looking takes nothing"
        );
    }

    #[test]
    fn validity_bounds_the_period_and_the_interval() {
        let max = Duration::from_secs(3600);
        assert!(RequestBudget::per_minute(5).is_valid(max));
        assert!(RequestBudget::none().is_valid(max));
        assert!(!RequestBudget::new(1, Duration::from_secs(3601)).is_valid(max));
        assert!(!RequestBudget::new(u32::MAX, Duration::from_nanos(5)).is_valid(max));
    }
}
