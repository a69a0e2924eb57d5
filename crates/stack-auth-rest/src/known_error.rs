//! Stack Auth's KnownErrors (PROTOCOL §4.1, §4.2): reading the code and text, and the table that
//! maps each code to what the caller should do.

use serde::Deserialize;
use stack_auth_core::{MisconfigKind, Misconfiguration, Refusal, RefusalReason, VerifyError};

use crate::error::{sanitize, RestError};

/// What a known error means for the verifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// The token is refused.
    Refuse(RefusalReason),
    /// The verifier is misconfigured.
    Misconfig(MisconfigKind),
}

/// Every code users/me can answer with (PROTOCOL §4.2), and its meaning. The crate docs show the
/// same table; a test checks that they agree.
pub(crate) const TABLE: &[(&str, Meaning)] = &[
    (
        "UNPARSABLE_ACCESS_TOKEN",
        Meaning::Refuse(RefusalReason::Unparsable),
    ),
    (
        "ACCESS_TOKEN_EXPIRED",
        Meaning::Refuse(RefusalReason::Expired),
    ),
    (
        "INVALID_PROJECT_FOR_ACCESS_TOKEN",
        Meaning::Refuse(RefusalReason::WrongProject),
    ),
    (
        "ANONYMOUS_AUTHENTICATION_NOT_ALLOWED",
        Meaning::Refuse(RefusalReason::UserTypeNotAllowed),
    ),
    (
        "RESTRICTED_USER_NOT_ALLOWED",
        Meaning::Refuse(RefusalReason::UserTypeNotAllowed),
    ),
    (
        "CANNOT_GET_OWN_USER_WITHOUT_USER",
        Meaning::Refuse(RefusalReason::UserNotFound),
    ),
    (
        "INVALID_SECRET_SERVER_KEY",
        Meaning::Misconfig(MisconfigKind::InvalidSecretServerKey),
    ),
    (
        "SERVER_AUTHENTICATION_REQUIRED",
        Meaning::Misconfig(MisconfigKind::MissingSecretServerKey),
    ),
    (
        "CURRENT_PROJECT_NOT_FOUND",
        Meaning::Misconfig(MisconfigKind::ProjectNotFound),
    ),
    (
        "PROJECT_NOT_FOUND",
        Meaning::Misconfig(MisconfigKind::ProjectNotFound),
    ),
    (
        "ACCESS_TYPE_REQUIRED",
        Meaning::Misconfig(MisconfigKind::InvalidRequest),
    ),
    (
        "PROJECT_KEY_WITHOUT_ACCESS_TYPE",
        Meaning::Misconfig(MisconfigKind::InvalidRequest),
    ),
    (
        "INVALID_ACCESS_TYPE",
        Meaning::Misconfig(MisconfigKind::InvalidRequest),
    ),
    (
        "ACCESS_TYPE_WITHOUT_PROJECT_ID",
        Meaning::Misconfig(MisconfigKind::InvalidRequest),
    ),
    (
        "INSUFFICIENT_ACCESS_TYPE",
        Meaning::Misconfig(MisconfigKind::InvalidRequest),
    ),
    (
        "SCHEMA_ERROR",
        Meaning::Misconfig(MisconfigKind::InvalidRequest),
    ),
    (
        "BODY_PARSING_ERROR",
        Meaning::Misconfig(MisconfigKind::InvalidRequest),
    ),
    (
        "BRANCH_DOES_NOT_EXIST",
        Meaning::Misconfig(MisconfigKind::InvalidRequest),
    ),
    (
        "ALL_OVERLOADS_FAILED",
        Meaning::Misconfig(MisconfigKind::InvalidRequest),
    ),
];

/// The meaning of `code`, if it is in the [`TABLE`].
pub(crate) fn meaning(code: &str) -> Option<Meaning> {
    TABLE.iter().find(|(c, _)| *c == code).map(|(_, m)| *m)
}

/// A KnownError as read from a response: its code and human-readable text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KnownError {
    /// The code, e.g. `ACCESS_TOKEN_EXPIRED`.
    pub(crate) code: String,
    /// The text from `error` (or `message`), sanitised; may be empty.
    pub(crate) text: String,
}

#[derive(Deserialize)]
struct Body {
    #[serde(default)]
    code: Option<serde_json::Value>,
    #[serde(default)]
    error: Option<serde_json::Value>,
    #[serde(default)]
    message: Option<serde_json::Value>,
}

/// Reads the known error of a response from the `x-stack-known-error` header and the body's
/// `code`. Either alone is enough; when both are present they must agree.
///
/// Returns `Ok(None)` when neither names a code.
///
/// # Errors
///
/// [`RestError::CodeMismatch`] when header and body disagree, [`RestError::BadCode`] when a code
/// is not an upper-case identifier.
pub(crate) fn read(header: Option<&str>, body: &[u8]) -> Result<Option<KnownError>, RestError> {
    let parsed: Option<Body> = serde_json::from_slice(body).ok();
    let body_code = match parsed.as_ref().and_then(|b| b.code.as_ref()) {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(checked(s)?),
        Some(_) => return Err(RestError::BadCode),
    };
    let header_code = header.map(|h| checked(h.trim())).transpose()?;
    let code = match (header_code, body_code) {
        (Some(h), Some(b)) if h != b => {
            return Err(RestError::CodeMismatch { header: h, body: b });
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return Ok(None),
    };
    let text = parsed
        .and_then(|b| text_of(b.error).or_else(|| text_of(b.message)))
        .unwrap_or_default();
    Ok(Some(KnownError { code, text }))
}

fn text_of(v: Option<serde_json::Value>) -> Option<String> {
    match v? {
        serde_json::Value::String(s) => Some(sanitize(&s)),
        _ => None,
    }
}

fn checked(code: &str) -> Result<String, RestError> {
    let ok = !code.is_empty()
        && code.len() <= 100
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(code.to_owned())
    } else {
        Err(RestError::BadCode)
    }
}

impl KnownError {
    /// The error for this known error when its code is in the [`TABLE`], `None` otherwise.
    pub(crate) fn to_verify_error(&self) -> Option<VerifyError> {
        let detail = self.detail();
        Some(match meaning(&self.code)? {
            Meaning::Refuse(reason) => Refusal::new(reason).with_detail(detail).into(),
            Meaning::Misconfig(kind) => Misconfiguration::new(kind).with_detail(detail).into(),
        })
    }

    /// `CODE: text`, or just the code: the detail kept in errors.
    pub(crate) fn detail(&self) -> String {
        if self.text.is_empty() {
            self.code.clone()
        } else {
            format!("{}: {}", self.code, self.text)
        }
    }

    /// The source error for a code this crate does not interpret.
    pub(crate) fn unknown(self) -> RestError {
        RestError::UnknownCode {
            code: self.code,
            text: self.text,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_code_from_header_or_body_and_text_from_error_then_message() {
        let body = br#"{"code":"ACCESS_TOKEN_EXPIRED","error":"expired.","message":"m"}"#;
        let k = read(Some("ACCESS_TOKEN_EXPIRED"), body).unwrap().unwrap();
        assert_eq!(k.code, "ACCESS_TOKEN_EXPIRED");
        assert_eq!(k.text, "expired.");
        let k = read(None, br#"{"code":"SCHEMA_ERROR","message":"fallback"}"#)
            .unwrap()
            .unwrap();
        assert_eq!(
            (k.code.as_str(), k.text.as_str()),
            ("SCHEMA_ERROR", "fallback")
        );
        let k = read(Some("SCHEMA_ERROR"), b"not json").unwrap().unwrap();
        assert_eq!((k.code.as_str(), k.text.as_str()), ("SCHEMA_ERROR", ""));
        assert_eq!(read(None, b"plain text").unwrap(), None);
        assert_eq!(read(None, br#"{"message":"rate limited"}"#).unwrap(), None);
    }

    #[test]
    fn mismatch_and_bad_codes_are_reported() {
        let e = read(Some("ACCESS_TOKEN_EXPIRED"), br#"{"code":"SCHEMA_ERROR"}"#).unwrap_err();
        assert!(matches!(e, RestError::CodeMismatch { .. }));
        assert_eq!(
            e.to_string(),
            "known-error header says ACCESS_TOKEN_EXPIRED but the body says SCHEMA_ERROR"
        );
        assert!(matches!(
            read(Some("lower"), b"{}"),
            Err(RestError::BadCode)
        ));
        assert!(matches!(
            read(None, br#"{"code":7}"#),
            Err(RestError::BadCode)
        ));
        assert!(matches!(
            read(Some("A\r\nB"), b"{}"),
            Err(RestError::BadCode)
        ));
    }

    #[test]
    fn table_codes_are_unique_and_map() {
        let mut seen = std::collections::HashSet::new();
        for (code, m) in TABLE {
            assert!(seen.insert(*code), "{code} twice");
            let k = KnownError {
                code: (*code).to_owned(),
                text: "t".into(),
            };
            let e = k.to_verify_error().unwrap();
            match m {
                Meaning::Refuse(r) => assert_eq!(e.refusal_reason(), Some(*r)),
                Meaning::Misconfig(kind) => match e {
                    VerifyError::Misconfigured(mc) => assert_eq!(mc.kind(), *kind),
                    other => panic!("{code}: {other:?}"),
                },
            }
        }
        let unknown = KnownError {
            code: "SOMETHING_NEW".into(),
            text: String::new(),
        };
        assert!(unknown.to_verify_error().is_none());
    }

    #[test]
    fn crate_docs_show_the_same_table() {
        let docs = include_str!("lib.rs");
        for (code, meaning) in TABLE {
            let row = format!("//! | `{code}`");
            let line = docs
                .lines()
                .find(|l| l.starts_with(&row))
                .unwrap_or_else(|| panic!("{code} is missing from the docs"));
            let expected = match meaning {
                Meaning::Refuse(r) => format!("`Refused({})`", r.as_str()),
                Meaning::Misconfig(k) => format!("`Misconfigured({k:?})`"),
            };
            assert!(line.contains(&expected), "{line} should say {expected}");
        }
    }
}
