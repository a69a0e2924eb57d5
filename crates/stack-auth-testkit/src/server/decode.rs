//! The stand-in's own access-token check, modelled on Stack Auth's `decodeAccessToken`
//! (PROTOCOL §1.8): an independent ES256 verification with p256, then the server's
//! consistency assertions.

use p256::ecdsa::{signature::Verifier, Signature};
use serde_json::{json, Map, Value};

use crate::jose::b64_decode;
use crate::keys::{derive_keys, DerivedKey};

/// A token the server accepted.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Decoded {
    pub(crate) project_id: String,
    pub(crate) user_id: String,
    /// `refresh_token_id` (`refreshTokenId` in legacy tokens): the token's session.
    pub(crate) session_id: Option<String>,
    pub(crate) is_anonymous: bool,
    pub(crate) is_restricted: bool,
    pub(crate) restricted_reason: Option<String>,
}

/// Why the server refused a token.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DecodeError {
    /// `ACCESS_TOKEN_EXPIRED`, with its details and the expiry in ms.
    Expired(Value, Option<i64>),
    /// `UNPARSABLE_ACCESS_TOKEN`.
    Unparsable,
    /// A `StackAssertionError`: the real server answers a plain 500.
    Assertion(&'static str),
}

/// Verifies `token` with the keys derived from `secret`, accepting the issuers for which
/// `accepts_issuer(project_id, iss)` holds, at Unix time `now` (seconds, no clock tolerance).
pub(crate) fn decode(
    token: &str,
    secret: &str,
    accepts_issuer: &dyn Fn(&str, &str) -> bool,
    now: i64,
) -> Result<Decoded, DecodeError> {
    let parts: Vec<&str> = token.split('.').collect();
    let [h, p, s] = parts[..] else {
        return Err(DecodeError::Unparsable);
    };
    let header = json_object(h).ok_or(DecodeError::Unparsable)?;
    let claims = json_object(p).ok_or(DecodeError::Unparsable)?;
    let Some(Value::String(aud)) = claims.get("aud") else {
        return Err(DecodeError::Unparsable);
    };
    let project_id = aud.split(':').next().unwrap_or_default().to_owned();
    let keys = derive_keys(secret, aud).map_err(|_| DecodeError::Unparsable)?;
    check_header(&header)?;
    let sig = b64_decode(s)
        .and_then(|b| Signature::from_slice(&b).ok())
        .ok_or(DecodeError::Unparsable)?;
    let input = format!("{h}.{p}");
    if !candidates(&keys, header.get("kid"))?
        .any(|k| k.verifying_key().verify(input.as_bytes(), &sig).is_ok())
    {
        return Err(DecodeError::Unparsable);
    }
    check_registered_claims(&claims, &project_id, accepts_issuer, now)?;
    consistency(&claims, aud, project_id)
}

fn json_object(segment: &str) -> Option<Map<String, Value>> {
    match serde_json::from_slice(&b64_decode(segment)?).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

/// `jose` refuses another `alg` than the key's, and any `crit` extension it does not know.
fn check_header(header: &Map<String, Value>) -> Result<(), DecodeError> {
    if header.get("alg") != Some(&json!("ES256")) || header.contains_key("crit") {
        return Err(DecodeError::Unparsable);
    }
    Ok(())
}

/// The key `jose`'s local key set picks: the one with the header's `kid`. A header without a
/// `kid` matches both keys of the audience, and `createLocalJWKSet` then throws
/// `JWKSMultipleMatchingKeys` instead of trying each: the server answers
/// `UNPARSABLE_ACCESS_TOKEN`.
fn candidates<'a>(
    keys: &'a [DerivedKey; 2],
    kid: Option<&'a Value>,
) -> Result<impl Iterator<Item = &'a DerivedKey>, DecodeError> {
    let Some(kid) = kid else {
        return Err(DecodeError::Unparsable);
    };
    Ok(keys.iter().filter(move |k| match kid {
        Value::String(kid) => k.kid() == kid,
        _ => false,
    }))
}

/// `jose`'s claim checks, in its order: issuer, then `iat`/`nbf` types, then expiry.
fn check_registered_claims(
    claims: &Map<String, Value>,
    project_id: &str,
    accepts_issuer: &dyn Fn(&str, &str) -> bool,
    now: i64,
) -> Result<(), DecodeError> {
    match claims.get("iss") {
        Some(Value::String(iss)) if accepts_issuer(project_id, iss) => {}
        _ => return Err(DecodeError::Unparsable),
    }
    for name in ["iat", "nbf"] {
        if claims.get(name).is_some_and(|v| !v.is_number()) {
            return Err(DecodeError::Unparsable);
        }
    }
    if claims
        .get("nbf")
        .and_then(Value::as_f64)
        .is_some_and(|nbf| nbf > now as f64)
    {
        return Err(DecodeError::Unparsable);
    }
    match claims.get("exp") {
        None => Ok(()),
        Some(Value::Number(exp)) => {
            let exp = exp.as_f64().unwrap_or(f64::MAX);
            if exp <= now as f64 {
                let ms = (exp * 1000.0) as i64;
                let details = json!({
                    "expired_at_millis": ms,
                    "project_id": project_id,
                    "user_id": claims.get("sub").and_then(Value::as_str),
                    "refresh_token_id": claims.get("refresh_token_id").or(claims.get("refreshTokenId")).and_then(Value::as_str),
                });
                return Err(DecodeError::Expired(details, Some(ms)));
            }
            Ok(())
        }
        Some(_) => Err(DecodeError::Unparsable),
    }
}

/// The assertions of `decodeAccessToken`, with its fallbacks for legacy tokens.
fn consistency(
    claims: &Map<String, Value>,
    aud: &str,
    project_id: String,
) -> Result<Decoded, DecodeError> {
    let fail = |why| Err(DecodeError::Assertion(why));
    let flag = |name: &str| claims.get(name).and_then(Value::as_bool);
    let is_anonymous = flag("is_anonymous").unwrap_or(claims.get("role") == Some(&json!("anon")));
    let is_restricted = flag("is_restricted").unwrap_or(is_anonymous);
    let restricted_reason = match claims.get("restricted_reason") {
        None => is_anonymous.then(|| "anonymous".to_owned()),
        Some(Value::Null) => None,
        Some(v) => match v.get("type").and_then(Value::as_str) {
            Some(t @ ("anonymous" | "email_not_verified" | "restricted_by_administrator")) => {
                Some(t.to_owned())
            }
            _ => return fail("restricted_reason.type is not a known reason"),
        },
    };
    if is_anonymous && !is_restricted {
        return fail("anonymous users must be restricted");
    }
    if is_restricted != restricted_reason.is_some() {
        return fail("is_restricted must match restricted_reason");
    }
    if aud.ends_with(":anon") != is_anonymous {
        return fail("the :anon audience must match is_anonymous");
    }
    if aud.ends_with(":restricted") && !is_restricted {
        return fail("the :restricted audience needs a restricted user");
    }
    if is_restricted && !is_anonymous && !aud.ends_with(":restricted") {
        return fail("restricted users need the :restricted audience");
    }
    let branch = claims.get("branch_id").or(claims.get("branchId"));
    if branch != Some(&json!("main")) {
        return fail("Branch ID !== main not currently supported");
    }
    let Some(Value::String(user_id)) = claims.get("sub") else {
        return fail("sub must be defined");
    };
    if !claims.contains_key("exp") {
        return fail("exp must be defined");
    }
    let session_id = claims
        .get("refresh_token_id")
        .or(claims.get("refreshTokenId"))
        .and_then(Value::as_str)
        .map(str::to_owned);
    Ok(Decoded {
        project_id,
        user_id: user_id.clone(),
        session_id,
        is_anonymous,
        is_restricted,
        restricted_reason,
    })
}
