//! Stable, bounded labels for tracing fields and metrics, so every strategy reports an error the
//! same way (`outcome` and `reason`).

use crate::VerifyError;

impl VerifyError {
    /// What happened, as a stable label: `refused`, `unavailable` or `misconfigured` (a success
    /// is reported as `ok` by the strategies).
    ///
    /// ```
    /// use stack_auth_core::{RefusalReason, VerifyError};
    ///
    /// assert_eq!(VerifyError::refused(RefusalReason::Expired).outcome_label(), "refused");
    /// ```
    pub fn outcome_label(&self) -> &'static str {
        match self {
            VerifyError::Refused(_) => "refused",
            VerifyError::Unavailable(_) => "unavailable",
            VerifyError::Misconfigured(_) => "misconfigured",
        }
    }

    /// Why, as a stable snake_case label: the refusal reason ([`RefusalReason::as_str`]), the
    /// unavailability kind ([`UnavailableKind::as_str`]) or the misconfiguration kind
    /// ([`MisconfigKind::as_str`]). The set of values is small and fixed, so it suits a metric
    /// label.
    ///
    /// [`RefusalReason::as_str`]: crate::RefusalReason::as_str
    /// [`UnavailableKind::as_str`]: crate::UnavailableKind::as_str
    /// [`MisconfigKind::as_str`]: crate::MisconfigKind::as_str
    ///
    /// ```
    /// use stack_auth_core::{Unavailable, UnavailableKind, Upstream, VerifyError};
    ///
    /// let e: VerifyError = Unavailable::new(Upstream::Api, UnavailableKind::RateLimited).into();
    /// assert_eq!((e.outcome_label(), e.reason_label()), ("unavailable", "rate_limited"));
    /// ```
    pub fn reason_label(&self) -> &'static str {
        match self {
            VerifyError::Refused(r) => r.reason().as_str(),
            VerifyError::Unavailable(u) => u.kind().as_str(),
            VerifyError::Misconfigured(m) => m.kind().as_str(),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{
        MisconfigKind, Misconfiguration, RefusalReason, Unavailable, UnavailableKind, Upstream,
        VerifyError,
    };

    #[test]
    fn labels_follow_the_variant_and_kind() {
        let cases: [(VerifyError, &str, &str); 3] = [
            (
                VerifyError::refused(RefusalReason::UnknownKey),
                "refused",
                "unknown_key",
            ),
            (
                Unavailable::new(Upstream::Jwks, UnavailableKind::NoUsableKeys).into(),
                "unavailable",
                "no_usable_keys",
            ),
            (
                Misconfiguration::new(MisconfigKind::InvalidSecretServerKey).into(),
                "misconfigured",
                "invalid_secret_server_key",
            ),
        ];
        for (error, outcome, reason) in cases {
            assert_eq!(
                (error.outcome_label(), error.reason_label()),
                (outcome, reason)
            );
        }
    }
}
