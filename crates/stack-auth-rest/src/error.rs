//! Private error types: the `source` of the [`VerifyError`]s this crate returns.
//!
//! They never hold the token or the secret server key; text that comes from the server is
//! sanitised (printable ASCII, bounded length) before it is kept.

use stack_auth_core::{
    MisconfigKind, Misconfiguration, Unavailable, UnavailableKind, Upstream, VerifyError,
};

/// Longest piece of server-provided text kept in an error.
const MAX_SERVER_TEXT: usize = 200;

/// How talking to Stack Auth went wrong, below the level of [`VerifyError`].
#[derive(Debug, thiserror::Error)]
pub(crate) enum RestError {
    /// The known-error header and the body's `code` disagree.
    #[error("known-error header says {header} but the body says {body}")]
    CodeMismatch { header: String, body: String },
    /// A known-error code that is not an upper-case identifier.
    #[error("known-error code is not an upper-case identifier")]
    BadCode,
    /// The 200 body is not a user profile.
    #[error("users/me body is not a user profile: {0}")]
    InvalidProfile(String),
    /// The 200 body is not what the endpoint answers (a key object, a list).
    #[error("the body is not what the endpoint answers: {0}")]
    InvalidBody(String),
    /// The body exceeds the configured cap.
    #[error("response body exceeds {limit} bytes")]
    TooLarge { limit: usize },
    /// A status the protocol does not give for users/me, without a known-error code.
    #[error("unexpected status {status}{}", snippet(.body))]
    UnexpectedStatus { status: u16, body: String },
    /// A known error this crate does not interpret.
    #[error("unknown error code {code}{}", snippet(.text))]
    UnknownCode { code: String, text: String },
    /// The injected HTTP client followed a redirect away from users/me.
    #[error("the http client followed a redirect")]
    Redirected,
    /// The HTTP client failed (connect, dropped connection, client-side timeout).
    #[error("http request failed")]
    Http(#[source] reqwest::Error),
    /// The total deadline passed before an answer.
    #[error("no answer within the deadline of {0:?}")]
    Deadline(std::time::Duration),
    /// The concurrent-request cap stayed full for the whole deadline: nothing was sent.
    #[error("no free request slot within the deadline of {0:?}; no request was sent")]
    NoRequestSlot(std::time::Duration),
}

fn snippet(text: &str) -> String {
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

impl RestError {
    /// An [`Unavailable`] error of the API with this as its source.
    pub(crate) fn unavailable(self, kind: UnavailableKind) -> Unavailable {
        Unavailable::new(Upstream::Api, kind).with_source(self)
    }

    /// A [`Misconfiguration`] with this as its source.
    pub(crate) fn misconfigured(self, kind: MisconfigKind) -> VerifyError {
        Misconfiguration::new(kind).with_source(self).into()
    }
}

/// Keeps at most [`MAX_SERVER_TEXT`] printable ASCII characters of server-provided text, so a
/// hostile or broken upstream cannot inject control characters or megabytes into logs.
pub(crate) fn sanitize(text: &str) -> String {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_graphic() || c == ' ' {
                c
            } else {
                ' '
            }
        })
        .take(MAX_SERVER_TEXT)
        .collect();
    out.truncate(out.trim_end().len());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_bounds_and_strips_controls() {
        assert_eq!(sanitize("bad\r\ninjected\u{7}"), "bad  injected");
        assert_eq!(sanitize(&"x".repeat(1000)).len(), MAX_SERVER_TEXT);
        assert_eq!(sanitize("héllo"), "h llo");
    }

    #[test]
    fn messages_are_lower_case_without_period() {
        let errors = [
            RestError::CodeMismatch {
                header: "A".into(),
                body: "B".into(),
            },
            RestError::TooLarge { limit: 10 },
            RestError::UnexpectedStatus {
                status: 404,
                body: String::new(),
            },
        ];
        for e in errors {
            let s = e.to_string();
            assert!(!s.ends_with('.'), "{s}");
            assert!(s.starts_with(|c: char| c.is_lowercase()), "{s}");
        }
    }
}
