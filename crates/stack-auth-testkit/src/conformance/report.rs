//! [`Outcome`], [`CaseResult`] and [`ConformanceReport`]: what a verifier answered, per case.

use std::fmt;

use stack_auth_core::{RefusalReason, RestrictedReason, UserType, VerifiedUser, VerifyError};

/// What a verifier answered (or must answer) for one token.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Accepted as this user.
    Accepted {
        /// The user id.
        user_id: String,
        /// The user type.
        user_type: UserType,
        /// Why restricted, if restricted.
        restricted_reason: Option<RestrictedReason>,
    },
    /// Refused for this reason.
    Refused(RefusalReason),
    /// The upstream was unavailable (e.g. the real server's 500 for inconsistent claims).
    Unavailable,
    /// The verifier said it is misconfigured.
    Misconfigured,
}

impl Outcome {
    /// The outcome of a verification result.
    pub fn of(result: &Result<VerifiedUser, VerifyError>) -> Outcome {
        match result {
            Ok(user) => Outcome::Accepted {
                user_id: user.user_id().to_owned(),
                user_type: user.user_type(),
                restricted_reason: user.restricted_reason(),
            },
            Err(VerifyError::Refused(r)) => Outcome::Refused(r.reason()),
            Err(VerifyError::Unavailable(_)) => Outcome::Unavailable,
            Err(_) => Outcome::Misconfigured,
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Outcome::Accepted {
                user_id,
                user_type,
                restricted_reason,
            } => {
                let id: String = user_id.chars().take(8).collect();
                write!(f, "accepted {user_type} {id}")?;
                match restricted_reason {
                    Some(r) => write!(f, " ({r})"),
                    None => Ok(()),
                }
            }
            Outcome::Refused(reason) => write!(f, "refused {reason}"),
            Outcome::Unavailable => f.write_str("unavailable"),
            Outcome::Misconfigured => f.write_str("misconfigured"),
        }
    }
}

/// One case of the suite and how the verifier did.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CaseResult {
    /// The case name (interop fixture names where one exists).
    pub name: String,
    /// The acceptable outcomes (any one passes).
    pub expected: Vec<Outcome>,
    /// What the verifier answered.
    pub got: Outcome,
    /// Extra detail of the answer (e.g. a wrong email), if any.
    pub note: Option<String>,
}

impl CaseResult {
    /// Whether the answer is one of the acceptable outcomes.
    pub fn passed(&self) -> bool {
        self.note.is_none() && self.expected.contains(&self.got)
    }

    fn expected_text(&self) -> String {
        let all: Vec<String> = self.expected.iter().map(ToString::to_string).collect();
        all.join(" | ")
    }
}

/// The result of a conformance run: one row per case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConformanceReport {
    /// Every case, in run order.
    pub cases: Vec<CaseResult>,
}

impl ConformanceReport {
    /// Whether every case passed.
    pub fn passed(&self) -> bool {
        self.cases.iter().all(CaseResult::passed)
    }

    /// The failed cases.
    pub fn failures(&self) -> Vec<&CaseResult> {
        self.cases.iter().filter(|c| !c.passed()).collect()
    }

    /// The case named `name`.
    pub fn case(&self, name: &str) -> Option<&CaseResult> {
        self.cases.iter().find(|c| c.name == name)
    }

    /// Panics with the readable table when a case failed.
    ///
    /// # Panics
    ///
    /// When any case failed; the message lists every case, expected vs got.
    #[track_caller]
    pub fn assert_passed(&self) {
        assert!(
            self.passed(),
            "conformance failed ({} of {} cases):\n{self}",
            self.failures().len(),
            self.cases.len()
        );
    }
}

impl fmt::Display for ConformanceReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .cases
            .iter()
            .map(|c| c.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        writeln!(
            f,
            "  {:<width$}  {:<4}  {:<58}  got",
            "case", "ok", "expected"
        )?;
        for c in &self.cases {
            let mark = if c.passed() { "ok" } else { "FAIL" };
            let note = c
                .note
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default();
            writeln!(
                f,
                "  {:<width$}  {:<4}  {:<58}  {}{note}",
                c.name,
                mark,
                c.expected_text(),
                c.got
            )?;
        }
        Ok(())
    }
}
