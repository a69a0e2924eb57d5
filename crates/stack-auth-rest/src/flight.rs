//! Single flight: concurrent verifications of one token share one upstream request, through
//! core's [`SingleFlight`] (the JWKS fetch uses the same helper).
//!
//! The request runs in its own Tokio task, so it is independent of the callers: if the caller
//! that started it is cancelled (its HTTP request dropped, say), the others still get its
//! result and no second request is sent.

use stack_auth_core::{
    single_flight::{SingleFlight, Task},
    MisconfigKind, Misconfiguration, VerifiedUser, VerifyError,
};

use crate::cache::Key;

pub(crate) use stack_auth_core::single_flight::Joined;

/// What a flight yields.
pub(crate) type Verdict = Result<VerifiedUser, VerifyError>;

/// The flights in progress, by token hash.
pub(crate) type Flights = SingleFlight<Key, VerifiedUser>;

/// Fails unless called inside a Tokio runtime, which the request (reqwest, timers and the
/// flight's task) needs.
///
/// # Errors
///
/// [`MisconfigKind::UnexpectedError`] with the detail "no tokio runtime".
pub(crate) fn require_runtime() -> Result<(), VerifyError> {
    tokio::runtime::Handle::try_current()
        .map(drop)
        .map_err(|_| no_runtime())
}

/// Spawns a flight's task on the current Tokio runtime.
///
/// # Errors
///
/// As [`require_runtime`].
pub(crate) fn spawn(task: Task) -> Result<(), VerifyError> {
    let runtime = tokio::runtime::Handle::try_current().map_err(|_| no_runtime())?;
    runtime.spawn(task);
    Ok(())
}

fn no_runtime() -> VerifyError {
    Misconfiguration::new(MisconfigKind::UnexpectedError)
        .with_detail("no tokio runtime")
        .into()
}
