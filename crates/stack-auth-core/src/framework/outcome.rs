//! [`Outcome`]: the verdict a configuration reached or reused for a request.

use std::{fmt, sync::Arc};

use crate::{UserTypes, VerifiedUser};

use super::{request_auth::check_user_type, verdicts::Verdict, Rejection, Verdicts};

/// What [`RequestAuth::authenticate_request`](super::RequestAuth::authenticate_request) found:
/// the verdict, and whether it is new.
pub struct Outcome<T> {
    verdict: Arc<Verdict<T>>,
    /// Reached now (not reused): its failure is logged once, here.
    new: bool,
    /// Reached now and worth recording for the configurations further in.
    record: bool,
    /// The user types the asking configuration lets in.
    required: UserTypes,
}

impl<T> Outcome<T> {
    pub(super) fn reused(verdict: Arc<Verdict<T>>, required: UserTypes) -> Self {
        Outcome {
            verdict,
            new: false,
            record: false,
            required,
        }
    }

    pub(super) fn reached(verdict: Arc<Verdict<T>>, record: bool, required: UserTypes) -> Self {
        Outcome {
            verdict,
            new: true,
            record,
            required,
        }
    }

    /// Adds the verdict to `verdicts` when it was reached now (a reused one is there already).
    /// With no verdicts yet (`None`), returns a new set holding it, for the integration to
    /// store in the request; `None` when there is nothing to store.
    pub fn record(&self, verdicts: Option<&mut Verdicts<T>>) -> Option<Verdicts<T>> {
        if !self.record {
            return None;
        }
        match verdicts {
            Some(verdicts) => {
                verdicts.push(self.verdict.clone());
                None
            }
            None => {
                let mut verdicts = Verdicts::new();
                verdicts.push(self.verdict.clone());
                Some(verdicts)
            }
        }
    }

    /// The user the verdict found, before the asking configuration's user-type check: what an
    /// integration puts in the request extensions (none when the verdict is a rejection or
    /// there is no token, so a user an outer middleware found with a source this configuration
    /// does not read is not left behind).
    pub fn verified_user(&self) -> Option<&VerifiedUser> {
        self.verdict.result.as_ref().ok().and_then(Option::as_ref)
    }

    /// What was recorded with the verdict: the `data` of the configuration that reached it.
    pub fn data(&self) -> &T {
        &self.verdict.data
    }

    /// The rejection of a verdict reached now (not reused), so an integration logs each
    /// failure once.
    pub fn new_rejection(&self) -> Option<&Rejection> {
        self.verdict.result.as_ref().err().filter(|_| self.new)
    }

    /// The user, or why there is none: a missing token, and a user type the asking
    /// configuration does not let in, are rejections.
    ///
    /// # Errors
    ///
    /// The verdict's [`Rejection`], [`Rejection::missing_token`], or a refusal as
    /// [`UserTypeNotAllowed`](crate::RefusalReason::UserTypeNotAllowed).
    pub fn into_required(self) -> Result<VerifiedUser, Rejection> {
        self.into_optional()?.ok_or_else(Rejection::missing_token)
    }

    /// The user, or `None` when no token was sent.
    ///
    /// # Errors
    ///
    /// The verdict's [`Rejection`] (a token that is sent but unreadable or refused is still a
    /// rejection), or a refusal as [`UserTypeNotAllowed`](crate::RefusalReason::UserTypeNotAllowed).
    pub fn into_optional(self) -> Result<Option<VerifiedUser>, Rejection> {
        let required = self.required;
        self.verdict
            .result
            .clone()?
            .map(|user| check_user_type(required, user))
            .transpose()
    }
}

impl<T> fmt::Debug for Outcome<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Outcome")
            .field("result", &self.verdict.result)
            .field("new", &self.new)
            .field("required", &self.required)
            .finish_non_exhaustive()
    }
}
