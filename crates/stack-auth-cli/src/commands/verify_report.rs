//! How `verify` prints its answer: one JSON object, or a few lines for a person.

use serde::Serialize;
use serde_json::json;
use stack_auth_core::{
    AccessTokenClaims, Refusal, RefusalReason, ServerUser, VerifiedUser, VerifyError,
};

use super::verify::Strategy;
use super::verify_input::{describe as describe_source, Input};
use crate::decode::Decoded;
use crate::outcome::{Exit, Failure};
use crate::output::{print_json, print_text, report_failure, OutputFormat};
use crate::{humanize, issuer};

/// Prints the outcome of verifying `input` and returns the exit code.
pub(crate) fn report(
    format: OutputFormat,
    strategy: Strategy,
    input: &Input,
    result: &Result<VerifiedUser, VerifyError>,
) -> Exit {
    let token = input.token.as_str();
    let source = input.source.map(|s| s.label());
    match result {
        Ok(user) => {
            match format {
                OutputFormat::Json => print_text(&format!("{}\n", accepted_json(user, input))),
                OutputFormat::Text => print_text(&accepted_text(user, strategy, input)),
            }
            Exit::Ok
        }
        Err(VerifyError::Refused(refusal)) => {
            let message = refusal_message(refusal, token);
            match format {
                OutputFormat::Json => print_json(&json!({
                    "ok": false,
                    "reason": refusal.reason().as_str(),
                    "message": message,
                    "source": source,
                })),
                OutputFormat::Text => {
                    let from = input
                        .source
                        .map(|s| format!("\n  source    {}", describe_source(s)))
                        .unwrap_or_default();
                    print_text(&format!(
                        "✘ refused: {} ({message}){from}\n",
                        refusal.reason()
                    ));
                }
            }
            Exit::Refused
        }
        Err(other) => report_failure(format, &Failure::from_verify_error(other)),
    }
}

/// The `iss` of an accepted token: from its verified claims, else (REST hands back none) read
/// from the token Stack Auth accepted.
fn issuer_of(user: &VerifiedUser, token: &str) -> Option<String> {
    user.claims()
        .map(|c| c.iss.clone())
        .or_else(|| Decoded::new(token).claims().ok().map(|c| c.iss))
}

/// The accepted-token object of `--output json`, as one line of JSON. Serialized directly, not
/// through a `serde_json::Value`: the profile's metadata is raw JSON that may nest deeper than
/// a `Value` can be built.
pub(crate) fn accepted_json(user: &VerifiedUser, input: &Input) -> String {
    #[derive(Serialize)]
    struct Accepted<'a> {
        ok: bool,
        user_id: &'a str,
        project_id: &'a str,
        user_type: &'a str,
        restricted_reason: Option<&'a str>,
        email: Option<&'a str>,
        issued_by: Option<&'a str>,
        source: Option<&'static str>,
        claims: Option<&'a AccessTokenClaims>,
        profile: Option<&'a ServerUser>,
    }
    let iss = issuer_of(user, &input.token);
    let accepted = Accepted {
        ok: true,
        user_id: user.user_id(),
        project_id: user.project_id(),
        user_type: user.user_type().as_str(),
        restricted_reason: user.restricted_reason().map(|r| r.as_str()),
        email: user.email(),
        issued_by: iss.as_deref().and_then(issuer::origin),
        source: input.source.map(|s| s.label()),
        claims: user.claims(),
        profile: user.profile(),
    };
    serde_json::to_string(&accepted).unwrap_or_else(|e| {
        json!({"ok": true, "user_id": user.user_id(), "error": e.to_string()}).to_string()
    })
}

fn accepted_text(user: &VerifiedUser, strategy: Strategy, input: &Input) -> String {
    let token = input.token.as_str();
    let now = humanize::now();
    // REST checked the token on the server but hands back no claims: its `exp` is still true.
    let expires_at = user
        .expires_at()
        .or_else(|| Decoded::new(token).time_claim("exp"));
    let mut who = format!("user {} ({}", user.user_id(), user.user_type().as_str());
    if let Some(reason) = user.restricted_reason() {
        who.push_str(&format!(": {reason}"));
    }
    who.push(')');
    if let Some(email) = user.email() {
        who.push_str(&format!(" {email}"));
    }
    if let Some(exp) = expires_at {
        who.push_str(&format!(", expires {}", humanize::relative(exp, now)));
    }
    let mut out = format!("✔ accepted: {who}\n  project   {}\n", user.project_id());
    if let Some(exp) = expires_at {
        out.push_str(&format!("  expires   {}\n", humanize::date(exp)));
    }
    if let Some(session) = user.session_id() {
        out.push_str(&format!("  session   {session}\n"));
    }
    if let Some(iss) = issuer_of(user, token) {
        out.push_str(&format!("  issued by {}\n", issuer::describe(&iss)));
    }
    if let Some(source) = input.source {
        out.push_str(&format!("  source    {}\n", describe_source(source)));
    }
    let profile = match user.profile() {
        Some(p) => format!(
            "from Stack Auth, display name {}",
            p.display_name
                .as_deref()
                .map_or("(none)".to_owned(), |n| format!("{n:?}"))
        ),
        None => format!(
            "not loaded (the {} strategy reads the token only)",
            strategy.label()
        ),
    };
    out.push_str(&format!("  profile   {profile}\n"));
    out
}

/// What a person needs to hear about a refusal: what it means, the verifier's detail, and for
/// an expired token, when it expired.
pub(crate) fn refusal_message(refusal: &Refusal, token: &str) -> String {
    let reason = refusal.reason();
    let decoded = Decoded::new(token);
    let mut message = match reason {
        RefusalReason::Expired => match decoded.time_claim("exp") {
            Some(exp) => format!("token expired {}", humanize::relative(exp, humanize::now())),
            None => describe(reason).to_owned(),
        },
        _ => describe(reason).to_owned(),
    };
    let named = match reason {
        RefusalReason::UnsupportedAlgorithm => decoded.header_str("alg"),
        RefusalReason::UnknownKey | RefusalReason::BadSignature => decoded.header_str("kid"),
        _ => None,
    };
    if let Some(value) = named {
        // Header values are attacker-chosen: show a bounded, quoted prefix.
        let shown: String = value.chars().take(40).collect();
        message.push_str(&format!(" ({shown:?})"));
    }
    if let Some(detail) = refusal.detail() {
        message.push_str(&format!(": {detail}"));
    }
    if reason == RefusalReason::WrongIssuer {
        if let Ok(claims) = decoded.claims() {
            message.push_str(&format!("; issued by {}", issuer::describe(&claims.iss)));
        }
    }
    message
}

/// A sentence for each refusal reason.
pub(crate) fn describe(reason: RefusalReason) -> &'static str {
    match reason {
        RefusalReason::Malformed => "not a well-formed Stack Auth access token",
        RefusalReason::UnsupportedAlgorithm => "the token's algorithm is not ES256",
        RefusalReason::UnknownKey => "no key of the project's key set has the token's kid",
        RefusalReason::BadSignature => "the signature does not verify with the key the kid names",
        RefusalReason::Expired => "the token has expired",
        RefusalReason::WrongIssuer => {
            "the issuer is not one this deployment accepts (its own host, its cloud-brand \
             sibling, or --accept-issuer-origin) for the token's user type"
        }
        RefusalReason::WrongAudience => "the audience is not this project's",
        RefusalReason::UserTypeNotAllowed => {
            "this user type is not accepted (see --allow-restricted and --allow-anonymous)"
        }
        RefusalReason::InconsistentClaims => "the token's claims contradict each other",
        RefusalReason::Unparsable => {
            "Stack Auth could not verify the token (its API does not say which check failed)"
        }
        RefusalReason::WrongProject => "the token belongs to another project",
        RefusalReason::UserNotFound => "the token is valid but its user no longer exists",
        RefusalReason::SessionEnded => "the token is valid but its session has ended",
        RefusalReason::MissingToken => "no token was given",
        RefusalReason::Custom => "a rule of the verifier's own refused the user",
        RefusalReason::ApiKeyMalformed => {
            "not an API key: the format or its checksum is wrong (checked offline, nothing sent)"
        }
        RefusalReason::ApiKeyNotFound => "Stack Auth knows no such API key in this project",
        RefusalReason::ApiKeyRevoked => "the API key was revoked",
        RefusalReason::ApiKeyExpired => "the API key has expired",
        RefusalReason::WrongApiKeyType => "the API key is of the other type (user or team)",
        RefusalReason::PublicApiKeyNotAllowed => {
            "a public (pk_) API key; pass --accept-public to check it anyway"
        }
        _ => "the token was refused",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stack_auth_core::{RestrictedReason, UserType};

    #[test]
    fn every_reason_has_its_own_sentence() {
        let mut seen = std::collections::HashSet::new();
        for reason in RefusalReason::ALL {
            assert!(seen.insert(describe(reason)), "{reason} shares a sentence");
        }
    }

    #[test]
    fn refusal_messages_keep_the_detail_and_never_the_token() {
        let token = "secret-looking.token.value";
        let r = Refusal::new(RefusalReason::WrongIssuer).with_detail("expected https://x");
        let m = refusal_message(&r, token);
        assert!(m.ends_with(": expected https://x"), "{m}");
        assert!(!m.contains(token));
        let m = refusal_message(&Refusal::new(RefusalReason::Expired), token);
        assert_eq!(m, "the token has expired");
        let none = "eyJhbGciOiJub25lIn0.e30.";
        let m = refusal_message(&Refusal::new(RefusalReason::UnsupportedAlgorithm), none);
        assert_eq!(m, "the token's algorithm is not ES256 (\"none\")");
    }

    #[test]
    fn accepted_json_has_every_documented_field() {
        let user = VerifiedUser::new(
            "u1",
            "p1",
            UserType::Restricted,
            Some(RestrictedReason::EmailNotVerified),
        );
        let input = Input {
            token: "t".into(),
            source: Some(stack_auth_core::TokenSource::HexclaveCookie),
        };
        let j: serde_json::Value = serde_json::from_str(&accepted_json(&user, &input)).unwrap();
        assert_eq!(j["ok"], true);
        assert_eq!(j["user_type"], "restricted");
        assert_eq!(j["restricted_reason"], "email_not_verified");
        for key in [
            "user_id",
            "project_id",
            "email",
            "claims",
            "profile",
            "issued_by",
        ] {
            assert!(j.get(key).is_some(), "{key}");
        }
        assert_eq!(j["source"], "hexclave_access_cookie");
        assert!(j["claims"].is_null() && j["profile"].is_null());
    }

    #[test]
    fn accepted_json_prints_metadata_of_any_depth() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let body = format!(r#"{{"id":"u1","client_metadata":{deep}}}"#);
        let profile: ServerUser = serde_json::from_str(&body).unwrap();
        let user = VerifiedUser::from_profile("p1", profile);
        let input = Input {
            token: "t".into(),
            source: None,
        };
        let printed = accepted_json(&user, &input);
        assert!(
            printed.contains(&format!(r#""client_metadata":{deep}"#)),
            "{printed:.200}"
        );
        assert!(
            printed.starts_with(r#"{"ok":true,"user_id":"u1""#),
            "{printed:.200}"
        );
    }
}
