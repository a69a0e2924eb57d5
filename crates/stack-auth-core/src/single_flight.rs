//! [`SingleFlight`]: concurrent callers asking for the same thing share one piece of work, for
//! verifier implementations (the JWKS fetch, the users/me request, and the server-API calls to
//! come all use it).
//!
//! It lives in core, though core defines no verifier, because several strategies need the same
//! rule and must report a failed piece of work the same way (HOUSE-STYLE: one home for single
//! flight). Core stays runtime-free: the caller passes the function that spawns the work (with
//! Tokio, `tokio::spawn`), and no Tokio type appears here.
//!
//! The work runs on its own task, so a caller that gives up (its request dropped) cancels
//! nothing: the others still get the result, and no second piece of work starts. When the task
//! ends (finished, panicked, or dropped with its runtime) the flight leaves the map, so the next
//! caller starts afresh; waiters still holding it drive it themselves. A panic in the work is
//! caught and reported to every waiter as a [`MisconfigKind::UnexpectedError`]
//! misconfiguration, never re-raised.
//!
//! ```
//! use std::sync::{Arc, atomic::{AtomicUsize, Ordering}};
//! use stack_auth_core::{single_flight::{Joined, SingleFlight}, VerifyError};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let flights: Arc<SingleFlight<&'static str, u32>> = Arc::new(SingleFlight::new());
//! let runs = Arc::new(AtomicUsize::new(0));
//! let spawn = |work| -> Result<(), VerifyError> {
//!     tokio::spawn(work);
//!     Ok(())
//! };
//! let start = |runs: Arc<AtomicUsize>| move || async move {
//!     runs.fetch_add(1, Ordering::SeqCst);
//!     tokio::task::yield_now().await;
//!     Ok(42)
//! };
//! let first = flights.join_or_start("key", || None, start(runs.clone()), spawn)?;
//! let second = flights.join_or_start("key", || None, start(runs.clone()), spawn)?;
//! let (Joined::Flight { flight: a, leader: true }, Joined::Flight { flight: b, leader: false }) =
//!     (first, second) else { unreachable!() };
//! assert_eq!((a.await?, b.await?), (42, 42));
//! assert_eq!(runs.load(Ordering::SeqCst), 1);
//! # Ok::<(), VerifyError>(())
//! # }).unwrap();
//! ```

mod landing;

use std::{
    collections::HashMap,
    fmt,
    future::Future,
    hash::Hash,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
    task::{Context, Poll},
};

use futures_util::future::{FutureExt as _, Shared};

use self::landing::Landing;
use crate::{MisconfigKind, Misconfiguration, VerifyError};

/// What a flight yields.
pub type Outcome<T> = Result<T, VerifyError>;

/// A boxed, sendable future: what the spawn function receives.
pub type Task = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

type SharedWork<T> = Shared<Pin<Box<dyn Future<Output = Outcome<T>> + Send + 'static>>>;

/// A piece of work in progress, shared by every caller that joined it: await it (any number of
/// clones) for its [`Outcome`].
pub struct Flight<T: Clone> {
    shared: SharedWork<T>,
}

impl<T: Clone> Clone for Flight<T> {
    fn clone(&self) -> Self {
        Flight {
            shared: self.shared.clone(),
        }
    }
}

impl<T: Clone> Future for Flight<T> {
    type Output = Outcome<T>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        self.shared.poll_unpin(cx)
    }
}

impl<T: Clone> fmt::Debug for Flight<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Flight").finish_non_exhaustive()
    }
}

/// How a caller of [`SingleFlight::join_or_start`] gets its outcome.
#[derive(Debug)]
pub enum Joined<T: Clone> {
    /// Answered by the `cached` lookup, without a flight.
    Cached(Outcome<T>),
    /// Waiting for a flight; `leader` when this call started it.
    Flight {
        /// The shared work.
        flight: Flight<T>,
        /// Whether this call started it.
        leader: bool,
    },
}

/// The flights in progress, by key. Share it (`Arc`) between the clones of a verifier.
pub struct SingleFlight<K, T: Clone> {
    inner: Arc<Inner<K, T>>,
}

struct Inner<K, T: Clone> {
    map: Mutex<HashMap<K, (u64, SharedWork<T>)>>,
    next_id: AtomicU64,
}

impl<K, T: Clone> Inner<K, T> {
    fn lock(&self) -> MutexGuard<'_, HashMap<K, (u64, SharedWork<T>)>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<K, T: Clone> Default for SingleFlight<K, T> {
    fn default() -> Self {
        SingleFlight {
            inner: Arc::new(Inner {
                map: Mutex::new(HashMap::new()),
                next_id: AtomicU64::new(0),
            }),
        }
    }
}

impl<K, T: Clone> fmt::Debug for SingleFlight<K, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SingleFlight")
            .field("in_flight", &self.inner.lock().len())
            .finish()
    }
}

impl<K, T> SingleFlight<K, T>
where
    K: Eq + Hash + Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    /// No flight in progress.
    pub fn new() -> Self {
        SingleFlight::default()
    }

    /// Joins the flight for `key`; else answers from `cached` (looked up under the same lock,
    /// so an outcome that just landed is seen in one place or the other); else starts one: the
    /// future `start()` returns is handed, wrapped, to `spawn`, which must run it to completion
    /// independently of the caller (`tokio::spawn`). The future should store its outcome
    /// wherever `cached` looks before it completes; the flight leaves the map when its task
    /// ends.
    ///
    /// # Errors
    ///
    /// The error `spawn` returns (e.g. a misconfiguration when there is no runtime); the flight
    /// is then taken out of the map again (a caller that joined it meanwhile drives it itself).
    pub fn join_or_start<C, S, F, P>(
        &self,
        key: K,
        cached: C,
        start: S,
        spawn: P,
    ) -> Result<Joined<T>, VerifyError>
    where
        C: FnOnce() -> Option<Outcome<T>>,
        S: FnOnce() -> F,
        F: Future<Output = Outcome<T>> + Send + 'static,
        P: FnOnce(Task) -> Result<(), VerifyError>,
    {
        let map = self.inner.lock();
        if let Some(flight) = existing(&map, &key) {
            return Ok(Joined::Flight {
                flight,
                leader: false,
            });
        }
        if let Some(outcome) = cached() {
            return Ok(Joined::Cached(outcome));
        }
        self.start_locked(map, key, start, spawn)
            .map(|flight| Joined::Flight {
                flight,
                leader: true,
            })
    }

    /// Joins the flight for `key`, or starts one as [`SingleFlight::join_or_start`] does
    /// (without a cache to look in); `true` when this call started it.
    ///
    /// # Errors
    ///
    /// The error `spawn` returns.
    pub fn join_or_spawn<S, F, P>(
        &self,
        key: K,
        start: S,
        spawn: P,
    ) -> Result<(Flight<T>, bool), VerifyError>
    where
        S: FnOnce() -> F,
        F: Future<Output = Outcome<T>> + Send + 'static,
        P: FnOnce(Task) -> Result<(), VerifyError>,
    {
        let map = self.inner.lock();
        if let Some(flight) = existing(&map, &key) {
            return Ok((flight, false));
        }
        self.start_locked(map, key, start, spawn)
            .map(|flight| (flight, true))
    }

    /// Starts the flight for `key`, which `map` (locked) does not hold.
    fn start_locked<S, F, P>(
        &self,
        mut map: MutexGuard<'_, HashMap<K, (u64, SharedWork<T>)>>,
        key: K,
        start: S,
        spawn: P,
    ) -> Result<Flight<T>, VerifyError>
    where
        S: FnOnce() -> F,
        F: Future<Output = Outcome<T>> + Send + 'static,
        P: FnOnce(Task) -> Result<(), VerifyError>,
    {
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        // Two landings for one flight: the work's, as soon as it completes (whoever drives
        // it), and the driver task's, when that task ends without it (dropped with its
        // runtime). Either takes the flight out of the map; the second finds it gone.
        let landing = Landing::new(Arc::downgrade(&self.inner), key.clone(), id);
        let work_landing = Landing::new(Arc::downgrade(&self.inner), key.clone(), id);
        let work = AssertUnwindSafe(start()).catch_unwind().map(move |caught| {
            drop(work_landing);
            caught.unwrap_or_else(|_| Err(panicked()))
        });
        let shared = (Box::pin(work) as Pin<Box<dyn Future<Output = _> + Send>>).shared();
        map.insert(key, (id, shared.clone()));
        // Spawned after the lock is released: a task that ends at once (or is dropped by a
        // failing `spawn`) takes its flight out of the map through the same lock.
        drop(map);
        let driver = shared.clone();
        spawn(Box::pin(async move {
            let _outcome = driver.await;
            drop(landing);
        }))?;
        Ok(Flight { shared })
    }

    /// The flight in progress for `key`, if any (without starting one).
    pub fn running(&self, key: &K) -> Option<Flight<T>> {
        existing(&self.inner.lock(), key)
    }

    /// How many flights are in progress.
    pub fn len(&self) -> usize {
        self.inner.lock().len()
    }

    /// Whether no flight is in progress.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A handle on the flight `map` holds for `key`.
fn existing<K: Eq + Hash, T: Clone>(
    map: &HashMap<K, (u64, SharedWork<T>)>,
    key: &K,
) -> Option<Flight<T>> {
    map.get(key).map(|(_, shared)| Flight {
        shared: shared.clone(),
    })
}

/// What every waiter gets when the shared work panicked: a bug, not an outage, so not retried.
fn panicked() -> VerifyError {
    Misconfiguration::new(MisconfigKind::UnexpectedError)
        .with_detail("the shared task panicked")
        .into()
}

#[cfg(test)]
mod tests;
