//! The server user object (PROTOCOL §3.4) as users/me and users by id (§10.1) answer it, and
//! the check that makes a profile trustworthy.

use serde::Deserialize;
use stack_auth_core::{RestrictedReason, ServerUser};

use crate::error::{sanitize, RestError};

/// The user-type flags, read on their own: [`ServerUser`] defaults a missing flag to `false`,
/// which would make a profile that says nothing about its type look like a normal user's.
#[derive(Deserialize)]
struct TypeFlags {
    is_anonymous: Option<bool>,
    is_restricted: Option<bool>,
}

/// The profile in a 200 body, trusted only with a non-empty `id`, both user-type flags
/// present, and flags that agree with `restricted_reason` (anonymous ⇒ restricted; restricted
/// ⇔ a reason; anonymous ⇔ the reason is `anonymous`, as Stack Auth's own schema requires).
/// Anything else is not what Stack Auth sends, so the user type cannot be known.
pub(crate) fn parse_profile(body: &[u8]) -> Result<ServerUser, RestError> {
    let invalid = |why: &str| RestError::InvalidProfile(why.to_owned());
    let profile: ServerUser = serde_json::from_slice(body)
        .map_err(|e| RestError::InvalidProfile(sanitize(&e.to_string())))?;
    if profile.id.trim().is_empty() {
        return Err(invalid("id is empty"));
    }
    let flags: TypeFlags = serde_json::from_slice(body)
        .map_err(|e| RestError::InvalidProfile(sanitize(&e.to_string())))?;
    let (Some(is_anonymous), Some(is_restricted)) = (flags.is_anonymous, flags.is_restricted)
    else {
        return Err(invalid("is_anonymous or is_restricted is missing"));
    };
    let reason = profile.restricted_reason;
    if is_anonymous && !is_restricted {
        return Err(invalid("an anonymous user is not marked restricted"));
    }
    if is_restricted != reason.is_some() {
        return Err(invalid("is_restricted disagrees with restricted_reason"));
    }
    if is_anonymous != (reason == Some(RestrictedReason::Anonymous)) {
        return Err(invalid("is_anonymous disagrees with restricted_reason"));
    }
    Ok(profile)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{request::RawResponse, response::classify, verifier::UsersMe as Profile};
    use stack_auth_core::{SystemClock, UnavailableKind, VerifyError};

    #[test]
    fn a_profile_field_named_code_is_not_a_known_error() {
        let raw = RawResponse {
            status: 200,
            body: br#"{"id":"u1","is_anonymous":false,"is_restricted":false,"code":"ACCESS_TOKEN_EXPIRED"}"#.to_vec(),
            ..RawResponse::default()
        };
        let profile = classify(&raw, &Profile, &SystemClock, 1 << 20).unwrap();
        assert_eq!(profile.id, "u1");
        assert!(profile.extra.contains_key("code"));
    }

    fn profile(body: &str) -> Result<ServerUser, String> {
        parse_profile(body.as_bytes()).map_err(|e| e.to_string())
    }

    #[test]
    fn a_profile_must_state_its_user_type() {
        let ok = profile(r#"{"id":"u","is_anonymous":false,"is_restricted":false}"#).unwrap();
        assert_eq!(ok.user_type(), stack_auth_core::UserType::Normal);
        for body in [
            r#"{"id":"u"}"#,
            r#"{"id":"u","is_restricted":false}"#,
            r#"{"id":"u","is_anonymous":false}"#,
        ] {
            let e = profile(body).unwrap_err();
            assert!(e.contains("is missing"), "{body}: {e}");
        }
    }

    #[test]
    fn flags_that_disagree_with_restricted_reason_are_not_trusted() {
        let reason = |t: &str| format!(r#"{{"type":"{t}"}}"#);
        let body = |anon: bool, restricted: bool, reason: &str| {
            format!(
                r#"{{"id":"u","is_anonymous":{anon},"is_restricted":{restricted},"restricted_reason":{reason}}}"#
            )
        };
        let ok = [
            (false, false, "null".to_owned()),
            (false, true, reason("email_not_verified")),
            (false, true, reason("restricted_by_administrator")),
            (true, true, reason("anonymous")),
        ];
        for (a, r, why) in &ok {
            assert!(profile(&body(*a, *r, why)).is_ok(), "{a} {r} {why}");
        }
        let bad = [
            // A reason says restricted although the flag does not.
            (false, false, reason("email_not_verified")),
            (false, false, reason("anonymous")),
            (true, false, reason("anonymous")),
            (false, true, "null".to_owned()),
            (true, true, reason("email_not_verified")),
            (false, true, reason("anonymous")),
        ];
        for (a, r, why) in &bad {
            let raw = RawResponse {
                status: 200,
                body: body(*a, *r, why).into_bytes(),
                ..RawResponse::default()
            };
            let e = classify(&raw, &Profile, &SystemClock, 1 << 20)
                .unwrap_err()
                .error;
            assert!(
                matches!(&e, VerifyError::Unavailable(u) if u.kind() == UnavailableKind::InvalidResponse),
                "{a} {r} {why}: {e:?}"
            );
        }
    }
}
