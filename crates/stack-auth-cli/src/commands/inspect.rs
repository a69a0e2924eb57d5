//! `stack-auth inspect`: decodes a token WITHOUT verifying it, broken tokens too.

use clap::Args;
use serde_json::{json, Value};
use std::time::{Duration, UNIX_EPOCH};

use stack_auth_core::{jws::check_expiry, AccessTokenClaims};

use crate::decode::Decoded;
use crate::outcome::Exit;
use crate::output::{print_json, print_text, report_failure, OutputFormat};
use crate::token_input::read_token;
use crate::{humanize, issuer};

const BANNER: &str = "UNVERIFIED: decoded without checking the signature, issuer, audience or \
                      expiry. Use `stack-auth verify` to trust it.";

/// Arguments of `stack-auth inspect`.
#[derive(Debug, Args)]
#[command(
    after_help = "Nothing is fetched and nothing is verified. Exit codes: 0 every part \
                        decoded, 1 some part does not decode, 2 usage error."
)]
pub(crate) struct InspectArgs {
    /// The access token; read from standard input when omitted or `-`.
    #[arg(value_name = "TOKEN")]
    token: Option<String>,

    /// How to print the answer (JSON: one object with `"verified": false`).
    #[arg(long, value_enum, default_value_t)]
    output: OutputFormat,
}

/// Runs `stack-auth inspect`.
pub(crate) fn run(args: &InspectArgs) -> Exit {
    let token = match read_token(args.token.as_deref()) {
        Ok(token) => token,
        Err(failure) => return report_failure(args.output, &failure),
    };
    let decoded = Decoded::new(&token);
    let now = humanize::now();
    match args.output {
        OutputFormat::Json => print_json(&to_json(&token, &decoded, now)),
        OutputFormat::Text => print_text(&to_text(&token, &decoded, now)),
    }
    if decoded.is_complete() {
        Exit::Ok
    } else {
        Exit::Refused
    }
}

fn to_json(token: &str, d: &Decoded, now: i64) -> Value {
    let claims = d.claims();
    let (iat, exp) = (d.time_claim("iat"), d.time_claim("exp"));
    json!({
        "verified": false,
        "length": token.len(),
        "segments": d.segments,
        "header": d.header.as_ref().ok(),
        "header_error": d.header.as_ref().err(),
        "payload": d.payload.as_ref().ok(),
        "payload_error": d.payload.as_ref().err(),
        "signature_bytes": d.signature.as_ref().ok().map(Vec::len),
        "signature_error": d.signature.as_ref().err(),
        "shape_error": d.shape.as_ref().err().map(ToString::to_string),
        "claims_error": claims.as_ref().err(),
        "consistency_error": claims.as_ref().ok().and_then(consistency_error),
        "user_id": claims.as_ref().ok().map(|c| c.sub.clone()),
        "user_type": claims.as_ref().ok().map(|c| c.user_type().as_str()),
        "issued_by": claims.as_ref().ok().and_then(|c| issuer::origin(&c.iss).map(str::to_owned)),
        "issued_at": iat,
        "expires_at": exp,
        "expired": exp.map(|e| expired(e, now)),
    })
}

/// The shared expiry rule with no leeway (`now >= exp`, as Stack Auth applies it).
fn expired(exp: i64, now: i64) -> bool {
    let now = UNIX_EPOCH + Duration::from_secs(u64::try_from(now).unwrap_or(0));
    check_expiry(exp, now, Duration::ZERO).is_err()
}

fn consistency_error(claims: &AccessTokenClaims) -> Option<String> {
    claims.check_consistency().err().map(|r| r.to_string())
}

fn to_text(token: &str, d: &Decoded, now: i64) -> String {
    let mut out = format!("{BANNER}\n\n");
    let structure = if d.segments == 3 {
        "3 segments".to_owned()
    } else {
        format!("{} segments (a JWS compact token has 3)", d.segments)
    };
    out.push_str(&format!("token      {} bytes, {structure}\n", token.len()));
    out.push_str(&section("header", &d.header));
    out.push_str(&section("payload", &d.payload));
    match &d.signature {
        Ok(sig) if sig.len() == 64 => {
            out.push_str("signature  64 bytes (the size of an ES256 signature)\n")
        }
        Ok(sig) => out.push_str(&format!(
            "signature  {} bytes (an ES256 signature has 64)\n",
            sig.len()
        )),
        Err(e) => out.push_str(&format!("signature  does not decode: {e}\n")),
    }
    if let Err(refusal) = &d.shape {
        out.push_str(&format!(
            "form       every verifier refuses it: {refusal}\n"
        ));
    }
    out.push_str(&claims_summary(d, now));
    out
}

fn section(name: &str, part: &Result<Value, String>) -> String {
    match part {
        Ok(value) => {
            let pretty = serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string());
            let indented = pretty.replace('\n', "\n  ");
            format!("{name}\n  {indented}\n")
        }
        Err(e) => format!("{name:<10} does not decode: {e}\n"),
    }
}

fn claims_summary(d: &Decoded, now: i64) -> String {
    let mut out = String::new();
    match d.claims() {
        Ok(c) => {
            let mut who = format!("{} ({}", c.sub, c.user_type().as_str());
            if let Some(reason) = c.restricted_reason {
                who.push_str(&format!(": {reason}"));
            }
            who.push(')');
            if let Some(email) = &c.email {
                who.push_str(&format!(" {email}"));
            }
            out.push_str(&format!("user       {who}\n"));
            out.push_str(&format!("project    {}\n", c.project_id));
            out.push_str(&format!("issuer     {}\n", c.iss));
            out.push_str(&format!("issued by  {}\n", issuer::describe(&c.iss)));
            out.push_str(&format!("audience   {}\n", c.aud));
            if let Some(problem) = consistency_error(&c) {
                out.push_str(&format!("claims     inconsistent: {problem}\n"));
            }
        }
        Err(e) if d.payload.is_ok() => {
            out.push_str(&format!("claims     not a Stack Auth payload: {e}\n"));
        }
        Err(_) => {}
    }
    if let Some(iat) = d.time_claim("iat") {
        out.push_str(&format!(
            "issued     {}\n",
            humanize::date_and_relative(iat, now)
        ));
    }
    match d.time_claim("exp") {
        Some(exp) if expired(exp, now) => out.push_str(&format!(
            "expires    EXPIRED {}\n",
            humanize::date_and_relative(exp, now)
        )),
        Some(exp) => out.push_str(&format!(
            "expires    {}\n",
            humanize::date_and_relative(exp, now)
        )),
        None => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expired_time_is_flagged_in_both_formats() {
        let token = "eyJhbGciOiJFUzI1NiJ9.eyJleHAiOjEwMCwiaWF0Ijo1MH0.c2ln";
        let d = Decoded::new(token);
        let text = to_text(token, &d, 1_000);
        assert!(text.starts_with("UNVERIFIED"));
        assert!(
            text.contains("expires    EXPIRED 1970-01-01T00:01:40Z (15 minutes ago)"),
            "{text}"
        );
        assert!(
            text.contains("signature  3 bytes (an ES256 signature has 64)"),
            "{text}"
        );
        let j = to_json(token, &d, 1_000);
        assert_eq!(j["expired"], true);
        assert_eq!(j["issued_at"], 50);
        assert_eq!(j["verified"], false);
        assert_eq!(j["claims_error"], "wrong_audience: aud is missing");
    }
}
