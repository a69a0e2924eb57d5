//! [`UnknownKeyBudget`]: how many tokens whose key the JWT check does not know may be sent to
//! REST, shared by every caller of one verifier (core's token bucket).

use stack_auth_core::budget::RequestBudget;

/// The unknown-key budget a builder starts with: 5 per minute.
pub const DEFAULT_UNKNOWN_KEY_BUDGET: UnknownKeyBudget = UnknownKeyBudget::per_minute(5);

/// How many tokens the JWT check refused as `unknown_key` (and the screen let through) may be
/// sent to REST, under [`UnknownKeyPolicy::AskRest`](crate::UnknownKeyPolicy::AskRest).
///
/// Such a token can be made by anyone who knows the (public) project id: an invented `kid` and
/// plausible claims pass the screen, and each costs a users/me request carrying the secret
/// server key. The budget is a token bucket per verifier (its clones share it): up to
/// `requests` at once, refilled evenly over `per`. Once it is spent, such tokens are refused as
/// `unknown_key` without a request until it refills. Time is Tokio's monotonic clock. It is
/// core's [`RequestBudget`], the one bucket of the SDK (the REST crate's API-key verifier
/// bounds unknown keys with it too).
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
pub type UnknownKeyBudget = RequestBudget;

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use stack_auth_core::budget::TokenBucket;

    use super::*;

    /// The bucket follows Tokio's paused clock (what the verifier passes it).
    #[tokio::test(start_paused = true)]
    async fn the_default_budget_refills_on_tokios_clock() {
        let bucket = TokenBucket::new(DEFAULT_UNKNOWN_KEY_BUDGET);
        let now = || tokio::time::Instant::now().into_std();
        assert_eq!((0..100).filter(|_| bucket.try_take(now())).count(), 5);
        tokio::time::advance(Duration::from_millis(11_999)).await;
        assert!(!bucket.try_take(now()));
        tokio::time::advance(Duration::from_millis(1)).await;
        assert!(bucket.try_take(now()));
    }
}
