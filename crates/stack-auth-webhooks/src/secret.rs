//! [`WebhookSecret`]: the signing secret of a Stack Auth webhook endpoint, never shown.

use std::fmt;

use base64::{engine::general_purpose::STANDARD, Engine as _};
use stack_auth_core::ConfigError;

/// The signing secret of your webhook endpoint, as the Stack Auth dashboard shows it:
/// `whsec_<base64>` (PROTOCOL §10.5.2). The HMAC key is the standard-base64 decoding of the part
/// after `whsec_`; a bare base64 key is accepted too, as the Svix libraries accept it.
///
/// `Debug` and `Display` print `[redacted]`; no error ever quotes it (not even the position of a
/// bad character).
///
/// ```
/// use stack_auth_webhooks::WebhookSecret;
///
/// let secret = WebhookSecret::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")?;
/// assert_eq!(format!("{secret:?} {secret}"), "WebhookSecret([redacted]) [redacted]");
/// assert!(WebhookSecret::new("whsec_not base64!").is_err());
/// # Ok::<(), stack_auth_core::ConfigError>(())
/// ```
#[derive(Clone)]
pub struct WebhookSecret {
    key: Vec<u8>,
}

impl WebhookSecret {
    /// Reads a `whsec_<base64>` (or bare base64) secret; surrounding whitespace (a trailing
    /// newline of an environment file) is ignored.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] (`webhook_secret`) when the key part is empty or not standard
    /// base64 with padding.
    pub fn new(text: impl AsRef<str>) -> Result<Self, ConfigError> {
        let text = text.as_ref().trim();
        let encoded = text.strip_prefix("whsec_").unwrap_or(text);
        let invalid = |reason: &'static str| ConfigError::Invalid {
            field: "webhook_secret",
            reason: reason.into(),
        };
        // The decode error is dropped: it names the offending character.
        let key = STANDARD.decode(encoded).map_err(|_| {
            invalid("must be whsec_ followed by standard base64 (as the dashboard shows it)")
        })?;
        if key.is_empty() {
            return Err(invalid("is empty"));
        }
        Ok(WebhookSecret { key })
    }

    /// The HMAC key's length in bytes (Standard Webhooks asks for at least 24; Svix's have 24).
    pub fn len(&self) -> usize {
        self.key.len()
    }

    /// Always `false`: an empty secret is refused by [`new`](Self::new).
    pub fn is_empty(&self) -> bool {
        self.key.is_empty()
    }

    /// The HMAC key, for the verifier only.
    pub(crate) fn key(&self) -> &[u8] {
        &self.key
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret([redacted])")
    }
}

impl fmt::Display for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixed_and_bare_base64_give_the_same_key() {
        let a = WebhookSecret::new("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX").unwrap();
        let b = WebhookSecret::new(" AAECAwQFBgcICQoLDA0ODxAREhMUFRYX\n").unwrap();
        assert_eq!(a.key(), (0u8..24).collect::<Vec<_>>());
        assert_eq!(a.key(), b.key());
        assert_eq!(a.len(), 24);
        assert!(!a.is_empty());
    }

    #[test]
    fn a_bad_secret_is_refused_without_quoting_it() {
        for text in [
            "whsec_",
            "",
            "whsec_sec ret",
            "whsec_c2VjcmV0Cg",
            "whsec_!!!!",
        ] {
            let err = WebhookSecret::new(text).unwrap_err().to_string();
            assert!(err.starts_with("invalid webhook_secret: "), "{err}");
            for part in ["sec ret", "c2VjcmV0", "!!!!", "offset", "symbol", "padding"] {
                assert!(!err.contains(part), "{err}");
            }
        }
    }
}
