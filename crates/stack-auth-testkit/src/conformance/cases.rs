//! The cases of the suite: tokens minted by the stand-in and the outcomes each kind of
//! verifier may give.

use stack_auth_core::{RefusalReason, RestrictedReason, ServerUser, UserType};

use super::{Capabilities, Outcome, Strategy};
use crate::{Breakage, KeyChoice, LocalStackAuth, ProjectSpec, TestkitError, UserSpec};

/// One token to verify and the acceptable outcomes.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Case {
    /// The case name.
    pub name: String,
    /// The exact token.
    pub token: String,
    /// Acceptable outcomes (any one passes).
    pub expected: Vec<Outcome>,
    /// The email an accepting verifier may report (checked when it reports one).
    pub email: Option<String>,
}

struct Builder<'a> {
    stack: &'a LocalStackAuth,
    caps: &'a Capabilities,
    cases: Vec<Case>,
}

impl Builder<'_> {
    fn push(
        &mut self,
        name: &str,
        token: String,
        expected: Vec<Outcome>,
        user: Option<&ServerUser>,
    ) {
        self.cases.push(Case {
            name: name.to_owned(),
            token,
            expected,
            email: user.and_then(|u| u.primary_email.clone()),
        });
    }

    /// Accepted as `user` when its type is accepted, else refused as not allowed.
    fn accept(&self, user: &ServerUser) -> Outcome {
        if self.caps.accepted.contains(user.user_type()) {
            Outcome::Accepted {
                user_id: user.id.clone(),
                user_type: user.user_type(),
                restricted_reason: user.restricted_reason,
            }
        } else {
            Outcome::Refused(RefusalReason::UserTypeNotAllowed)
        }
    }

    fn valid(&mut self, name: &str, user: &ServerUser, token: String) {
        let expected = vec![self.accept(user)];
        self.push(name, token, expected, Some(user));
    }
}

/// Builds every case for `stack`'s default project (creating the users it needs, and one
/// extra project for the other-project case).
///
/// # Errors
///
/// A [`TestkitError`] if the stand-in refuses to create a user or project.
pub fn cases(stack: &LocalStackAuth, caps: &Capabilities) -> Result<Vec<Case>, TestkitError> {
    let mut b = Builder {
        stack,
        caps,
        cases: Vec::new(),
    };
    valid_cases(&mut b)?;
    special_cases(&mut b)?;
    hostile_cases(&mut b)?;
    Ok(b.cases)
}

fn valid_cases(b: &mut Builder<'_>) -> Result<(), TestkitError> {
    let s = b.stack;
    let normal = s.create_user(
        UserSpec::normal()
            .email("ada@example.com")
            .team("Analytical Engines"),
    )?;
    b.valid("normal-user", &normal, s.mint(&normal));
    b.valid(
        "normal-user-new-scheme-key",
        &normal,
        s.token(&normal).signed_by(KeyChoice::Other).mint(),
    );
    b.valid(
        "legacy-camelcase-claims",
        &normal,
        s.token(&normal).legacy_claims().mint(),
    );
    b.valid(
        "unknown-extra-claim",
        &normal,
        s.token(&normal).extra_claim("future_claim", "x").mint(),
    );
    for (name, reason) in [
        (
            "restricted-email-not-verified",
            RestrictedReason::EmailNotVerified,
        ),
        (
            "restricted-by-admin",
            RestrictedReason::RestrictedByAdministrator,
        ),
    ] {
        let user = s.create_user(UserSpec::restricted(reason))?;
        b.valid(name, &user, s.mint(&user));
    }
    let anonymous = s.create_user(UserSpec::anonymous())?;
    b.valid("anonymous-user", &anonymous, s.mint(&anonymous));
    b.valid(
        "legacy-anonymous",
        &anonymous,
        s.token(&anonymous).legacy_claims().mint(),
    );
    Ok(())
}

/// A deleted user's still-valid token, and a real token of another project.
fn special_cases(b: &mut Builder<'_>) -> Result<(), TestkitError> {
    let s = b.stack;
    let deleted = s.create_user(UserSpec::normal())?;
    let token = s.mint(&deleted);
    s.delete_user(&deleted.id)?;
    let expected = match b.caps.knows_deletions {
        true if b.caps.accepted.contains(UserType::Normal) => {
            Outcome::Refused(RefusalReason::UserNotFound)
        }
        _ => b.accept(&deleted),
    };
    b.push("deleted-user", token, vec![expected], Some(&deleted));

    let other = ProjectSpec::random();
    let other_id = other.id().to_owned();
    s.add_project(other)?;
    let stranger = s.create_user_in(&other_id, UserSpec::normal())?;
    let reason = match b.caps.strategy {
        Strategy::Local => RefusalReason::UnknownKey,
        Strategy::Remote => RefusalReason::WrongProject,
    };
    b.push(
        "token-of-other-project",
        s.mint(&stranger),
        vec![Outcome::Refused(reason)],
        None,
    );
    Ok(())
}

fn hostile_cases(b: &mut Builder<'_>) -> Result<(), TestkitError> {
    let s = b.stack;
    let victim = s.create_user(UserSpec::normal())?;
    for breakage in Breakage::ALL {
        let token = s.token(&victim).broken(breakage).mint();
        let local = Outcome::Refused(breakage.expected_refusal());
        let expected = match b.caps.strategy {
            Strategy::Local => vec![local],
            Strategy::Remote => remote_expectation(breakage, local, b.accept(&victim)),
        };
        b.push(breakage.label(), token, expected, Some(&victim));
    }
    Ok(())
}

/// What a verifier that asks users/me may answer: the server cannot tell most failures apart
/// (`UNPARSABLE_ACCESS_TOKEN`), accepts some tokens a local check refuses, and answers 500 for
/// inconsistent claims.
fn remote_expectation(breakage: Breakage, local: Outcome, accepted: Outcome) -> Vec<Outcome> {
    use Breakage as B;
    let unparsable = Outcome::Refused(RefusalReason::Unparsable);
    match breakage {
        B::Expired => vec![local],
        B::IssuerVariantMismatch | B::WhitespacePadded | B::Huge => {
            vec![accepted, local, unparsable]
        }
        B::Empty => vec![
            local,
            Outcome::Refused(RefusalReason::MissingToken),
            Outcome::Refused(RefusalReason::UserNotFound),
            unparsable,
        ],
        B::BranchNotMain
        | B::AnonymousClaimOnNormalAudience
        | B::RestrictedWithoutReason
        | B::MissingSub
        | B::MissingExp => vec![local, unparsable, Outcome::Unavailable],
        _ => vec![unparsable, local],
    }
}
