//! A conformance suite any [`TokenVerifier`] can run against the stand-in: valid tokens of
//! every user type, the hostile cases of the interop fixtures minted with the stand-in's keys,
//! a token of another project, and a deleted user.
//!
//! This is the way to test a custom verifier. Configure it for the stand-in's default project
//! (`stack.config_builder()`), accepting the user types named in [`Capabilities`]:
//!
//! ```
//! use stack_auth_core::{TokenVerifier, UserTypes};
//! use stack_auth_testkit::{conformance::{self, Capabilities}, LocalStackAuth};
//!
//! /// Call from a `#[tokio::test]` with your verifier, built from
//! /// `stack.config_builder().accepted_user_types(UserTypes::ALL).build()?`.
//! async fn check_my_verifier(verifier: &dyn TokenVerifier, stack: &LocalStackAuth) {
//!     let caps = Capabilities::local(UserTypes::ALL); // or ::remote(..) for a users/me verifier
//!     conformance::run(verifier, stack, caps).await.assert_passed();
//! }
//! ```
//!
//! A failing run panics with a table, one row per case: name, ok/FAIL, expected, got.

mod cases;
mod report;

use stack_auth_core::{TokenVerifier, UserTypes};

pub use cases::{cases, Case};
pub use report::{CaseResult, ConformanceReport, Outcome};

use crate::LocalStackAuth;

/// How a verifier decides, which sets the refusal reasons it can give.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Strategy {
    /// Verifies the JWT locally (JWKS): must give the precise reasons of the interop fixtures.
    Local,
    /// Asks Stack Auth's users/me: gives what the API can say (`unparsable` for most failures).
    Remote,
}

/// What the verifier under test is set up to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Capabilities {
    /// The user types its configuration accepts.
    pub accepted: UserTypes,
    /// Whether it can know that a user was deleted (asks the API).
    pub knows_deletions: bool,
    /// Local or remote checking.
    pub strategy: Strategy,
}

impl Capabilities {
    /// A local (JWKS) verifier accepting `accepted`; it cannot know deletions.
    pub fn local(accepted: UserTypes) -> Self {
        Capabilities {
            accepted,
            knows_deletions: false,
            strategy: Strategy::Local,
        }
    }

    /// A verifier asking users/me, accepting `accepted`; it knows deletions.
    pub fn remote(accepted: UserTypes) -> Self {
        Capabilities {
            accepted,
            knows_deletions: true,
            strategy: Strategy::Remote,
        }
    }

    /// Whether it knows deletions (e.g. a local verifier that also loads the profile).
    #[must_use]
    pub fn knows_deletions(mut self, knows: bool) -> Self {
        self.knows_deletions = knows;
        self
    }
}

/// Runs every case of [`cases`] through `verifier` and reports expected vs got.
///
/// It creates users (and one extra project) on `stack`; the stand-in's keys, faults and clock
/// are left as they are, so run it on a stand-in without injected faults.
pub async fn run(
    verifier: &dyn TokenVerifier,
    stack: &LocalStackAuth,
    caps: Capabilities,
) -> ConformanceReport {
    let cases = match cases(stack, &caps) {
        Ok(cases) => cases,
        Err(e) => {
            return ConformanceReport {
                cases: vec![CaseResult {
                    name: "setup".into(),
                    expected: Vec::new(),
                    got: Outcome::Misconfigured,
                    note: Some(e.to_string()),
                }],
            }
        }
    };
    let mut report = ConformanceReport::default();
    for case in cases {
        let result = verifier.verify(&case.token).await;
        let note = match (&result, &case.email) {
            (Ok(user), Some(email)) => user
                .email()
                .filter(|got| got != email)
                .map(|got| format!("email {got:?}, expected {email:?}")),
            _ => None,
        };
        report.cases.push(CaseResult {
            name: case.name,
            expected: case.expected,
            got: Outcome::of(&result),
            note,
        });
    }
    report
}
