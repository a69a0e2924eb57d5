//! [`WebhookError`]: why a delivery was not accepted, and what to answer.

/// Why a webhook delivery was not accepted. Nothing was evicted.
///
/// | error | status | [`code`](Self::code) |
/// |---|---|---|
/// | [`MissingHeader`](Self::MissingHeader) | 400 | `missing_header` |
/// | [`InvalidHeader`](Self::InvalidHeader) | 400 | `invalid_header` |
/// | [`BadSignature`](Self::BadSignature) | 401 | `bad_signature` |
/// | [`StaleTimestamp`](Self::StaleTimestamp) | 401 | `stale_timestamp` |
/// | [`Replayed`](Self::Replayed) | 401 | `replayed` |
/// | [`MalformedBody`](Self::MalformedBody) | 400 | `malformed_body` |
/// | [`BodyTooLarge`](Self::BodyTooLarge) | 413 | `body_too_large` |
///
/// A 401 means the request is not proven to come from Stack Auth now; a 400 that it is not a
/// delivery (a missing or unreadable header) or that a correctly signed body is not one (a
/// bug on either side: Svix retries it, and it keeps failing). The `Display` text never quotes
/// the body, a header value or the secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A header of the chosen set (`svix-id`, `svix-timestamp`, `svix-signature`, or the
    /// `webhook-*` names) is absent; the name is given.
    #[error("missing webhook header {0}")]
    MissingHeader(&'static str),
    /// A header is repeated, not visible ASCII, or (the timestamp) not an integer.
    #[error("invalid webhook header {0}")]
    InvalidHeader(&'static str),
    /// No `v1` signature of the header matches the body under the secret (forged, altered,
    /// signed with another secret).
    #[error("webhook signature does not match")]
    BadSignature,
    /// The signed timestamp is further than the tolerance (5 minutes) from now, in either
    /// direction: an old request replayed, or a clock far off.
    #[error("webhook timestamp is {seconds} s from now, outside the tolerance")]
    StaleTimestamp {
        /// How far the timestamp is from now, in seconds (negative: in the future).
        seconds: i64,
    },
    /// The same signed request (message id and timestamp) was already accepted: a copy. A new
    /// attempt of the same message (Svix re-signs each retry) is not an error but a
    /// [duplicate](crate::VerifiedWebhook::is_duplicate).
    #[error("webhook delivery replayed")]
    Replayed,
    /// The signature holds but the body is not a Stack Auth event: not UTF-8, not JSON, not
    /// `{"type": "...", "data": ...}`, or `data` not of the shape its known type has.
    #[error("webhook body is malformed: {0}")]
    MalformedBody(BodyProblem),
    /// The body is larger than the receiver accepts
    /// ([`max_body_bytes`](crate::WebhookReceiverBuilder::max_body_bytes)).
    #[error("webhook body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: usize,
    },
}

/// What is wrong with a correctly signed body: where, never what it says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BodyProblem {
    /// The body is not UTF-8.
    #[error("not utf-8")]
    NotUtf8,
    /// The body is not a JSON object with a string `type` and a `data` member.
    #[error("not a {{type, data}} envelope (line {line}, column {column})")]
    Envelope {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
    },
    /// `data` does not have the shape of its (known) event type.
    #[error("data of {event_type} has another shape (line {line}, column {column})")]
    Data {
        /// The event type.
        event_type: &'static str,
        /// 1-based line of the problem, within `data`.
        line: usize,
        /// 1-based column of the problem, within `data`.
        column: usize,
    },
}

impl WebhookError {
    /// The HTTP status to answer: 400, 401 or 413 (see the table).
    pub fn http_status(&self) -> u16 {
        match self {
            WebhookError::BadSignature
            | WebhookError::StaleTimestamp { .. }
            | WebhookError::Replayed => 401,
            WebhookError::BodyTooLarge { .. } => 413,
            WebhookError::MissingHeader(_)
            | WebhookError::InvalidHeader(_)
            | WebhookError::MalformedBody(_) => 400,
        }
    }

    /// The stable machine-readable code (the `error` of [`json_body`](Self::json_body)).
    pub fn code(&self) -> &'static str {
        match self {
            WebhookError::MissingHeader(_) => "missing_header",
            WebhookError::InvalidHeader(_) => "invalid_header",
            WebhookError::BadSignature => "bad_signature",
            WebhookError::StaleTimestamp { .. } => "stale_timestamp",
            WebhookError::Replayed => "replayed",
            WebhookError::MalformedBody(_) => "malformed_body",
            WebhookError::BodyTooLarge { .. } => "body_too_large",
        }
    }

    /// A fixed sentence for the code; never contains request data.
    pub fn message(&self) -> &'static str {
        match self {
            WebhookError::MissingHeader(_) => "a webhook signature header is missing",
            WebhookError::InvalidHeader(_) => "a webhook signature header is malformed",
            WebhookError::BadSignature => "the webhook signature does not match",
            WebhookError::StaleTimestamp { .. } => "the webhook timestamp is outside the tolerance",
            WebhookError::Replayed => "this webhook delivery was already received",
            WebhookError::MalformedBody(_) => "the webhook body is not a Stack Auth event",
            WebhookError::BodyTooLarge { .. } => "the webhook body is too large",
        }
    }

    /// The answer's body: `{"error":"<code>","message":"<message>"}`, compact.
    pub fn json_body(&self) -> String {
        serde_json::json!({ "error": self.code(), "message": self.message() }).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_codes_and_bodies() {
        let cases = [
            (
                WebhookError::MissingHeader("svix-id"),
                400,
                "missing_header",
            ),
            (
                WebhookError::InvalidHeader("svix-timestamp"),
                400,
                "invalid_header",
            ),
            (WebhookError::BadSignature, 401, "bad_signature"),
            (
                WebhookError::StaleTimestamp { seconds: 301 },
                401,
                "stale_timestamp",
            ),
            (WebhookError::Replayed, 401, "replayed"),
            (
                WebhookError::MalformedBody(BodyProblem::NotUtf8),
                400,
                "malformed_body",
            ),
            (
                WebhookError::BodyTooLarge { limit: 1 },
                413,
                "body_too_large",
            ),
        ];
        let mut messages = std::collections::HashSet::new();
        for (error, status, code) in cases {
            assert_eq!((error.http_status(), error.code()), (status, code));
            assert!(messages.insert(error.message()), "{code}");
            let body: serde_json::Value = serde_json::from_str(&error.json_body()).unwrap();
            assert_eq!(
                body,
                serde_json::json!({"error": code, "message": error.message()})
            );
            let text = error.to_string();
            assert_eq!(text, text.to_lowercase(), "lower case");
            assert!(!text.ends_with('.'));
        }
        let data = BodyProblem::Data {
            event_type: "user.deleted",
            line: 1,
            column: 7,
        };
        assert_eq!(
            WebhookError::MalformedBody(data).to_string(),
            "webhook body is malformed: data of user.deleted has another shape (line 1, column 7)"
        );
    }
}
