//! The unverified screen: a cheap, local look at a token the JWT check could not decide, so that
//! only tokens that could be this project's cost Stack Auth a REST call.

use std::{
    fmt,
    sync::Arc,
    time::{Duration, SystemTime, UNIX_EPOCH},
};

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde_json::Value;
use stack_auth_core::{AccessTokenClaims, Refusal, RefusalReason, StackAuthConfig, MAX_TOKEN_LEN};

/// The clock the screen compares `exp` with.
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// Length of a raw ES256 signature (r ‖ s).
const ES256_SIGNATURE_LEN: usize = 64;

/// Decides, without any key, whether a token could be a valid token of the configured project.
#[derive(Clone)]
pub(crate) struct Screen {
    pub(crate) config: Option<StackAuthConfig>,
    pub(crate) leeway: Duration,
    pub(crate) clock: Clock,
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
    /// refusal it would certainly get (whatever its signature).
    pub(crate) fn check(&self, token: &str) -> Result<AccessTokenClaims, Refusal> {
        let malformed = |why: &'static str| Refusal::new(RefusalReason::Malformed).with_detail(why);
        if token.len() > MAX_TOKEN_LEN {
            return Err(malformed("token is too large"));
        }
        let mut parts = token.split('.');
        let (Some(header), Some(payload), Some(signature), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(malformed("not three dot-separated segments"));
        };
        check_header(&decode(header)?)?;
        if decode(signature)?.len() != ES256_SIGNATURE_LEN {
            return Err(malformed("signature is not 64 bytes"));
        }
        let claims = AccessTokenClaims::from_json_slice(&decode(payload)?)?;
        claims.check_consistency()?;
        self.check_expiry(&claims)?;
        if let Some(config) = &self.config {
            check_project(config, &claims)?;
        }
        Ok(claims)
    }

    fn check_expiry(&self, claims: &AccessTokenClaims) -> Result<(), Refusal> {
        let now = (self.clock)()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let leeway = self.leeway.as_secs();
        let expired =
            u64::try_from(claims.exp).map_or(true, |exp| exp.saturating_add(leeway) < now);
        if expired {
            return Err(Refusal::new(RefusalReason::Expired));
        }
        Ok(())
    }
}

fn decode(segment: &str) -> Result<Vec<u8>, Refusal> {
    URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| Refusal::new(RefusalReason::Malformed).with_detail("segment is not base64url"))
}

fn check_header(header: &[u8]) -> Result<(), Refusal> {
    let malformed = |why: &'static str| Refusal::new(RefusalReason::Malformed).with_detail(why);
    let Ok(Value::Object(header)) = serde_json::from_slice::<Value>(header) else {
        return Err(malformed("header is not a JSON object"));
    };
    if header.get("alg").and_then(Value::as_str) != Some("ES256") {
        return Err(Refusal::new(RefusalReason::UnsupportedAlgorithm));
    }
    match header.get("kid").and_then(Value::as_str) {
        Some(kid) if !kid.is_empty() => {}
        _ => return Err(malformed("header has no kid")),
    }
    if header.contains_key("crit") {
        return Err(malformed("critical header extensions are not supported"));
    }
    Ok(())
}

fn check_project(config: &StackAuthConfig, claims: &AccessTokenClaims) -> Result<(), Refusal> {
    let Some(user_type) = config.user_type_for_audience(&claims.aud) else {
        return Err(Refusal::new(RefusalReason::WrongAudience)
            .with_detail("audience is not this project's"));
    };
    if claims.project_id != config.project_id() {
        return Err(Refusal::new(RefusalReason::WrongProject));
    }
    if !config.accepts_issuer(user_type, &claims.iss) {
        return Err(Refusal::new(RefusalReason::WrongIssuer));
    }
    if !config.accepts(user_type) {
        return Err(Refusal::new(RefusalReason::UserTypeNotAllowed)
            .with_detail(format!("{user_type} users are not accepted")));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
