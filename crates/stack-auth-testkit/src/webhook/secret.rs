//! [`WebhookSecret`]: the `whsec_…` signing secret of a project's webhook endpoint.

use std::fmt;

use base64::{engine::general_purpose::STANDARD, Engine as _};

use crate::TestkitError;

/// A webhook endpoint's signing secret, shown as `whsec_<base64>` (PROTOCOL §10.5.2); the HMAC
/// key is the standard-base64 decoding of the part after `whsec_`. `Debug` never shows it.
///
/// ```
/// use stack_auth_testkit::WebhookSecret;
///
/// let secret = WebhookSecret::new("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYX")?;
/// assert_eq!(secret.key_bytes(), (0u8..24).collect::<Vec<_>>());
/// assert_eq!(format!("{secret:?}"), "WebhookSecret(..)");
/// # Ok::<(), stack_auth_testkit::TestkitError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookSecret {
    text: String,
    key: Vec<u8>,
}

impl WebhookSecret {
    /// A secret from its `whsec_<base64>` text (a bare base64 key is accepted too, like the
    /// Svix libraries accept it).
    ///
    /// # Errors
    ///
    /// [`TestkitError::InvalidWebhookSecret`] when the key part is not standard base64 or is
    /// empty.
    pub fn new(text: impl Into<String>) -> Result<Self, TestkitError> {
        let text = text.into();
        let encoded = text.strip_prefix("whsec_").unwrap_or(&text);
        let key = STANDARD
            .decode(encoded)
            .map_err(|_| TestkitError::InvalidWebhookSecret)?;
        if key.is_empty() {
            return Err(TestkitError::InvalidWebhookSecret);
        }
        Ok(WebhookSecret { text, key })
    }

    /// A fresh secret of 32 random bytes (Standard Webhooks asks for at least 24).
    pub fn random() -> Self {
        let key = rand::random::<[u8; 32]>().to_vec();
        WebhookSecret {
            text: format!("whsec_{}", STANDARD.encode(&key)),
            key,
        }
    }

    /// The secret as configured (`whsec_…`), for a receiver's configuration.
    pub fn expose(&self) -> &str {
        &self.text
    }

    /// The HMAC key.
    pub fn key_bytes(&self) -> &[u8] {
        &self.key
    }
}

impl fmt::Debug for WebhookSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WebhookSecret(..)")
    }
}
