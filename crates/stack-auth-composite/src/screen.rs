//! The unverified screen: a cheap, local look at a token the JWT check could not decide, so that
//! only tokens that could be this project's cost Stack Auth a REST call.

use std::{fmt, sync::Arc, time::Duration};

use stack_auth_core::{
    jws::{check_expiry, UnverifiedJws},
    AccessTokenClaims, Clock, Refusal, RefusalReason, StackAuthConfig, UserType,
};

/// Decides, without any key, whether a token could be a valid token of the configured project.
#[derive(Clone)]
pub(crate) struct Screen {
    pub(crate) config: Option<StackAuthConfig>,
    pub(crate) leeway: Duration,
    pub(crate) clock: Arc<dyn Clock>,
}

impl fmt::Debug for Screen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Screen")
            .field("project_id", &self.config.as_ref().map(|c| c.project_id()))
            .field("leeway", &self.leeway)
            .finish_non_exhaustive()
    }
}

impl Screen {
    /// The token's claims, unverified, when the token could be one of this project's; else the
    /// refusal it would certainly get (whatever its signature). The token rules, the expiry
    /// boundary and the order of the claim checks are the JWT check's (shared through
    /// [`stack_auth_core::jws`]).
    pub(crate) fn check(&self, token: &str) -> Result<AccessTokenClaims, Refusal> {
        let jws = UnverifiedJws::parse(token)?;
        jws.es256_signature()?;
        let claims = jws.into_claims()?;
        check_expiry(claims.exp, self.clock.now(), self.leeway)?;
        let user_type = match &self.config {
            Some(config) => Some(check_audience_and_issuer(config, &claims)?),
            None => None,
        };
        // Includes a `project_id` that disagrees with `aud`.
        claims.check_consistency()?;
        if let (Some(config), Some(user_type)) = (&self.config, user_type) {
            if !config.accepts(user_type) {
                return Err(Refusal::new(RefusalReason::UserTypeNotAllowed)
                    .with_detail(format!("{user_type} users are not accepted")));
            }
        }
        Ok(claims)
    }
}

/// The user type this project's audience says, once the issuer is the one for it.
fn check_audience_and_issuer(
    config: &StackAuthConfig,
    claims: &AccessTokenClaims,
) -> Result<UserType, Refusal> {
    let Some(user_type) = config.user_type_for_audience(&claims.aud) else {
        return Err(Refusal::new(RefusalReason::WrongAudience)
            .with_detail("audience is not this project's"));
    };
    if !config.accepts_issuer(user_type, &claims.iss) {
        return Err(Refusal::new(RefusalReason::WrongIssuer));
    }
    Ok(user_type)
}

#[cfg(test)]
mod tests;
