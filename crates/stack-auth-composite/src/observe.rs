//! Tracing spans and (feature `metrics`) metrics of composite verifications. The field and
//! metric names are listed in the [crate documentation](crate#tracing); they are stable.

use stack_auth_core::{observe, VerifyError};
use tracing::{field::Empty, Span};

pub(crate) use stack_auth_core::observe::{record_outcome, Timer};

/// The `stack_auth.verify` span, its fields declared empty and recorded as they become known.
pub(crate) fn verify_span() -> Span {
    tracing::debug_span!(
        "stack_auth.verify",
        strategy = "composite",
        outcome = Empty,
        reason = Empty,
        path = Empty,
    )
}

/// The `stack_auth.load_profile` span of an on-demand profile load.
pub(crate) fn load_profile_span() -> Span {
    tracing::debug_span!(
        "stack_auth.load_profile",
        strategy = "composite",
        outcome = Empty,
        reason = Empty,
    )
}

/// Records the outcome of a verification on its span and in the metrics (core's one way).
pub(crate) fn verification<T>(span: &Span, timer: Timer, result: &Result<T, VerifyError>) {
    observe::verification(span, "composite", timer, None, result);
}
