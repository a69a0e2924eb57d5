//! Single flight: concurrent verifications of one token share one upstream request.
//!
//! The request runs in its own Tokio task, so it is independent of the callers: if the caller
//! that started it is cancelled (its HTTP request dropped, say), the others still get its
//! result and no second request is sent.

use std::{
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

use futures_util::future::{BoxFuture, FutureExt, Shared};
use stack_auth_core::{MisconfigKind, Misconfiguration, VerifiedUser, VerifyError};

use crate::{cache::Key, error::RestError};

/// What a flight yields.
pub(crate) type Verdict = Result<VerifiedUser, VerifyError>;

/// A running (or finished) request shared by every caller that joined it.
pub(crate) type Flight = Shared<BoxFuture<'static, Verdict>>;

/// How a caller got its verdict.
pub(crate) enum Joined {
    /// Found in the cache.
    Cached(Verdict),
    /// Waiting for a flight; `leader` when this caller started it.
    Flight { flight: Flight, leader: bool },
}

/// The flights in progress, by token hash.
#[derive(Debug, Default)]
pub(crate) struct Flights {
    map: Mutex<HashMap<Key, Flight>>,
}

impl Flights {
    fn lock(&self) -> MutexGuard<'_, HashMap<Key, Flight>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Joins the flight for `key`, or answers from `cached` (looked up under the lock, so a
    /// flight that just finished is seen in one place or the other), or spawns `start()`.
    ///
    /// `start`'s future must store its verdict in the cache before it completes; the flight is
    /// removed right after it completes (or panics).
    ///
    /// # Errors
    ///
    /// A misconfiguration when called outside a Tokio runtime (checked before the lock is
    /// taken: `tokio::spawn` would panic while holding it, and the dropped flight's [`Landing`]
    /// would then lock it again).
    pub(crate) fn join_or_start<C, S, F>(
        self: &Arc<Self>,
        key: Key,
        cached: C,
        start: S,
    ) -> Result<Joined, VerifyError>
    where
        C: FnOnce() -> Option<Verdict>,
        S: FnOnce() -> F,
        F: Future<Output = Verdict> + Send + 'static,
    {
        require_runtime()?;
        let mut map = self.lock();
        if let Some(flight) = map.get(&key) {
            return Ok(Joined::Flight {
                flight: flight.clone(),
                leader: false,
            });
        }
        if let Some(verdict) = cached() {
            return Ok(Joined::Cached(verdict));
        }
        let landing = Landing {
            flights: Arc::clone(self),
            key,
        };
        let work = start();
        let handle = tokio::spawn(async move {
            let verdict = work.await;
            drop(landing);
            verdict
        });
        let flight = async move {
            handle.await.unwrap_or_else(|e| {
                Err(RestError::Task(e.to_string()).misconfigured(MisconfigKind::UnexpectedError))
            })
        }
        .boxed()
        .shared();
        map.insert(key, flight.clone());
        Ok(Joined::Flight {
            flight,
            leader: true,
        })
    }

    /// Flights in progress (for tests).
    #[cfg(test)]
    pub(crate) fn in_progress(&self) -> usize {
        self.lock().len()
    }
}

/// Fails unless called inside a Tokio runtime, which the request (reqwest, timers and the
/// flight's task) needs.
///
/// # Errors
///
/// [`MisconfigKind::UnexpectedError`] with the detail "no tokio runtime".
pub(crate) fn require_runtime() -> Result<(), VerifyError> {
    match tokio::runtime::Handle::try_current() {
        Ok(_) => Ok(()),
        Err(_) => Err(Misconfiguration::new(MisconfigKind::UnexpectedError)
            .with_detail("no tokio runtime")
            .into()),
    }
}

/// Removes a flight from the map when its task ends, normally or by panic.
struct Landing {
    flights: Arc<Flights>,
    key: Key,
}

impl Drop for Landing {
    fn drop(&mut self) {
        self.flights.lock().remove(&self.key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    fn user() -> Verdict {
        Ok(VerifiedUser::new(
            "u",
            "p",
            stack_auth_core::UserType::Normal,
            None,
        ))
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_task_even_if_the_leader_is_cancelled() {
        let flights = Arc::new(Flights::default());
        let started = Arc::new(AtomicUsize::new(0));
        let start = |started: Arc<AtomicUsize>| {
            move || async move {
                started.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(1)).await;
                user()
            }
        };
        let Joined::Flight {
            flight: first,
            leader: true,
        } = flights
            .join_or_start([1; 32], || None, start(started.clone()))
            .unwrap()
        else {
            panic!("first caller leads");
        };
        let Joined::Flight {
            flight: second,
            leader: false,
        } = flights
            .join_or_start([1; 32], || None, start(started.clone()))
            .unwrap()
        else {
            panic!("second caller joins");
        };
        drop(first);
        assert_eq!(second.await.unwrap().user_id(), "u");
        assert_eq!(started.load(Ordering::SeqCst), 1);
        tokio::task::yield_now().await;
        assert_eq!(flights.in_progress(), 0);
        assert!(matches!(
            flights.join_or_start([1; 32], user_cached, start(started.clone())),
            Ok(Joined::Cached(Ok(_)))
        ));
    }

    fn user_cached() -> Option<Verdict> {
        Some(user())
    }

    #[tokio::test]
    async fn a_panicking_flight_is_an_error_and_is_cleared() {
        let flights = Arc::new(Flights::default());
        let Joined::Flight { flight, .. } = flights
            .join_or_start([2; 32], || None, || async { panic!("boom") })
            .unwrap()
        else {
            panic!("leads");
        };
        let err = flight.await.unwrap_err();
        assert_eq!(err.http_status(), 500);
        assert_eq!(flights.in_progress(), 0);
    }
}
