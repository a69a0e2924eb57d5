//! Joining what the JWT check learned with what REST answered, once both agree on who it is.

use std::sync::Arc;

use stack_auth_core::{
    AccessTokenClaims, MisconfigKind, Misconfiguration, Refusal, RefusalReason, ServerUser,
    VerifiedUser, VerifyError,
};

/// The user both verifiers describe: REST's user (current profile, type and restriction) with
/// the JWT check's claims, after checking they name the same user of the same project.
///
/// # Errors
///
/// [`RefusalReason::InconsistentClaims`] when they disagree on the user id or the project; a
/// [`MisconfigKind::UnexpectedError`] misconfiguration when the profile verifier accepted the
/// token without a profile (a user must never leave the composite looking checked by REST
/// when REST told nothing about it).
pub(crate) fn merge(
    jwt_user: VerifiedUser,
    rest_user: VerifiedUser,
) -> Result<VerifiedUser, VerifyError> {
    check_same_user(jwt_user.user_id(), jwt_user.project_id(), &rest_user)?;
    require_profile(&rest_user)?;
    Ok(match jwt_user.shared_claims() {
        Some(claims) => rest_user.with_shared_claims(Arc::clone(claims)),
        None => rest_user,
    })
}

/// REST's user with the claims of the token it accepted. REST verified that exact token's
/// signature on the server, so its claims are authentic even though no local key checked them.
///
/// # Errors
///
/// [`RefusalReason::InconsistentClaims`] when REST's user is not the one the claims name; a
/// [`MisconfigKind::UnexpectedError`] misconfiguration when REST's user has no profile.
pub(crate) fn with_server_checked_claims(
    claims: AccessTokenClaims,
    rest_user: VerifiedUser,
) -> Result<VerifiedUser, VerifyError> {
    check_same_user(&claims.sub, &claims.project_id, &rest_user)?;
    require_profile(&rest_user)?;
    Ok(rest_user.with_claims(claims))
}

/// The profile REST answered with, for the user the claims name.
///
/// # Errors
///
/// [`RefusalReason::InconsistentClaims`] when REST describes another user or project; a
/// [`MisconfigKind::UnexpectedError`] misconfiguration when the REST verifier returns no profile.
pub(crate) fn profile_of(
    user_id: &str,
    project_id: &str,
    rest_user: VerifiedUser,
) -> Result<ServerUser, VerifyError> {
    check_same_user(user_id, project_id, &rest_user)?;
    require_profile(&rest_user)?;
    rest_user.profile().cloned().ok_or_else(no_profile)
}

/// The one rule for every path that asks the profile verifier: an acceptance without a profile
/// is a misconfigured profile verifier, never a user to let through without one.
fn require_profile(rest_user: &VerifiedUser) -> Result<(), VerifyError> {
    match rest_user.profile() {
        Some(_) => Ok(()),
        None => Err(no_profile()),
    }
}

fn no_profile() -> VerifyError {
    Misconfiguration::new(MisconfigKind::UnexpectedError)
        .with_detail("the profile verifier returned a user without a profile")
        .into()
}

fn check_same_user(
    user_id: &str,
    project_id: &str,
    rest_user: &VerifiedUser,
) -> Result<(), VerifyError> {
    let inconsistent = |why: &'static str| {
        VerifyError::from(Refusal::new(RefusalReason::InconsistentClaims).with_detail(why))
    };
    let profile_id = rest_user
        .profile()
        .map_or(rest_user.user_id(), |p| p.id.as_str());
    if rest_user.user_id() != user_id || profile_id != user_id {
        return Err(inconsistent("claims and profile name different users"));
    }
    if rest_user.project_id() != project_id {
        return Err(inconsistent("claims and profile name different projects"));
    }
    Ok(())
}
