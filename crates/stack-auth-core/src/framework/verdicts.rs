//! [`Verdicts`]: what authenticating one request found, kept in its extensions so that later
//! middleware and extractors reuse it instead of verifying again, but only where reuse is sound.
//!
//! A verdict is reused by a [`RequestAuth`](super::RequestAuth) only when (1) it has the same
//! verifier (or none, for [`RequestAuth::reusing`](super::RequestAuth::reusing)) and (2)
//! reading the request with *its own* token sources gives exactly what the verdict was reached
//! on: the same token, from the same source, or the same "no token" or unreadable source.
//! Without (2), a route limited to [`TokenSources::HEADERS_ONLY`](crate::TokenSources::HEADERS_ONLY)
//! behind an outer middleware reading every source would take the verdict of the ambient
//! `stack-access` cookie: a cross-site request would pass as the victim. Comparing what
//! extraction yields, rather than naming sources, keeps the rule right for any source core adds.

use std::{fmt, sync::Arc};

use crate::{ExtractError, ExtractedToken, TokenVerifier, VerifiedUser};

use super::Rejection;

/// What reading a request with some token sources gave.
pub(super) type Extraction = Result<Option<ExtractedToken>, ExtractError>;

/// One verdict: who the request's token belongs to (or why there is none), and on what.
pub(super) struct Verdict<T> {
    /// The verifier that produced it (`None`: a verifier-less configuration decided without
    /// verifying).
    pub(super) verifier: Option<Arc<dyn TokenVerifier>>,
    /// The token (or its absence) the verdict is about, and where it came from.
    pub(super) extracted: Extraction,
    pub(super) result: Result<Option<VerifiedUser>, Rejection>,
    /// What the integration recorded with it (the error responder of its configuration).
    pub(super) data: T,
}

/// The verdicts reached on one request, in the order they were reached (outermost first).
///
/// A framework integration keeps one in the request's extensions and hands it to
/// [`RequestAuth::authenticate_request`](super::RequestAuth::authenticate_request); `T` is what
/// it records with each verdict (the axum and actix-web crates record the error responder of
/// the configuration that reached it). Cloning is cheap: the verdicts are shared.
pub struct Verdicts<T> {
    list: Vec<Arc<Verdict<T>>>,
}

impl<T> Verdicts<T> {
    /// No verdict yet.
    pub fn new() -> Self {
        Verdicts { list: Vec::new() }
    }

    /// Whether no verdict was recorded (no middleware in front authenticated the request).
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// How many verdicts were recorded.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Records `verdict` as the innermost one.
    pub(super) fn push(&mut self, verdict: Arc<Verdict<T>>) {
        self.list.push(verdict);
    }

    /// The innermost verdict a configuration with `verifier` may reuse: one of the same
    /// verifier (any, when `verifier` is `None`) reached on exactly `extracted` (any, when
    /// `extracted` is `None`: a verifier-less configuration without sources of its own takes
    /// the latest verdict).
    pub(super) fn find(
        &self,
        verifier: Option<&Arc<dyn TokenVerifier>>,
        extracted: Option<&Extraction>,
    ) -> Option<Arc<Verdict<T>>> {
        self.list
            .iter()
            .rev()
            .find(|v| {
                let same = match (verifier, &v.verifier) {
                    (None, _) => true,
                    (Some(mine), Some(theirs)) => same_verifier(mine, theirs),
                    (Some(_), None) => false,
                };
                same && extracted.is_none_or(|e| *e == v.extracted)
            })
            .cloned()
    }
}

/// Whether `a` and `b` are the same verifier (the same allocation; clones of one `Arc` are).
/// Only the data pointers are compared: the vtable of one type may differ between codegen
/// units.
fn same_verifier(a: &Arc<dyn TokenVerifier>, b: &Arc<dyn TokenVerifier>) -> bool {
    std::ptr::eq(Arc::as_ptr(a).cast::<()>(), Arc::as_ptr(b).cast::<()>())
}

impl<T> Default for Verdicts<T> {
    fn default() -> Self {
        Verdicts::new()
    }
}

impl<T> Clone for Verdicts<T> {
    fn clone(&self) -> Self {
        Verdicts {
            list: self.list.clone(),
        }
    }
}

impl<T> fmt::Debug for Verdicts<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.list.iter().map(|v| &v.result))
            .finish()
    }
}
