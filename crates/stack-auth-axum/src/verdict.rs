//! The verdicts of a request, kept in its extensions so that later layers and extractors reuse
//! them instead of verifying again, but only where reuse is sound.
//!
//! A verdict is reused by a [`StackAuth`](crate::StackAuth) only when (1) it has the same
//! verifier (or none, for [`StackAuth::from_layer`](crate::StackAuth::from_layer)) and (2)
//! reading the request with *its own* token sources gives exactly what the verdict was reached
//! on: the same token, from the same source, or the same "no token" or unreadable source.
//! Without (2), a route limited to [`TokenSources::HEADERS_ONLY`](stack_auth_core::TokenSources::HEADERS_ONLY) behind an outer layer reading
//! every source would take the verdict of the ambient `stack-access` cookie: a cross-site
//! request would pass as the victim. Comparing what extraction yields, rather than naming
//! sources, keeps the rule right for any source core adds.

use std::sync::Arc;

use http::Extensions;
use stack_auth_core::{ExtractError, ExtractedToken, TokenVerifier, VerifiedUser};

use crate::{AuthRejection, ErrorResponder};

/// What reading a request with some token sources gave.
pub(crate) type Extraction = Result<Option<ExtractedToken>, ExtractError>;

/// What authenticating a request found.
#[derive(Clone)]
pub(crate) struct Verdict {
    /// The verifier that produced it (`None`: a verifier-less
    /// [`StackAuth::from_layer`](crate::StackAuth::from_layer) decided without verifying).
    pub(crate) verifier: Option<Arc<dyn TokenVerifier>>,
    /// The token (or its absence) the verdict is about, and where it came from.
    pub(crate) extracted: Extraction,
    pub(crate) result: Result<Option<VerifiedUser>, AuthRejection>,
    pub(crate) responder: Option<Arc<dyn ErrorResponder>>,
}

/// The verdicts of a request, in the order they were reached (outermost first).
#[derive(Clone, Default)]
struct Verdicts(Vec<Verdict>);

/// Whether `a` and `b` are the same verifier (the same allocation; clones of one `Arc` are).
/// Only the data pointers are compared: the vtable of one type may differ between codegen
/// units.
fn same_verifier(a: &Arc<dyn TokenVerifier>, b: &Arc<dyn TokenVerifier>) -> bool {
    std::ptr::eq(Arc::as_ptr(a).cast::<()>(), Arc::as_ptr(b).cast::<()>())
}

/// The innermost verdict a configuration with `verifier` may reuse: one of the same verifier
/// (any, when `verifier` is `None`) reached on exactly `extracted` (any, when `extracted` is
/// `None`: a verifier-less configuration without sources of its own takes the latest verdict).
pub(crate) fn find(
    extensions: &Extensions,
    verifier: Option<&Arc<dyn TokenVerifier>>,
    extracted: Option<&Extraction>,
) -> Option<Verdict> {
    let all = extensions.get::<Verdicts>()?;
    all.0
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

/// Whether any verdict was recorded (a layer ran in front).
pub(crate) fn any(extensions: &Extensions) -> bool {
    extensions
        .get::<Verdicts>()
        .is_some_and(|v| !v.0.is_empty())
}

/// Records `verdict` as the innermost one.
pub(crate) fn record(extensions: &mut Extensions, verdict: Verdict) {
    let mut all = extensions.remove::<Verdicts>().unwrap_or_default();
    all.0.push(verdict);
    extensions.insert(all);
}

/// Makes the request's `VerifiedUser` extension say what `result` says: the user, or none (so
/// a user an outer layer found with a source this route does not accept is not left behind for
/// `Extension<VerifiedUser>`).
pub(crate) fn expose(
    extensions: &mut Extensions,
    result: &Result<Option<VerifiedUser>, AuthRejection>,
) {
    match result {
        Ok(Some(user)) => {
            extensions.insert(user.clone());
        }
        _ => {
            extensions.remove::<VerifiedUser>();
        }
    }
}

impl std::fmt::Debug for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verdict")
            .field("result", &self.result)
            .finish_non_exhaustive()
    }
}
