//! [`SecretServerKey`]: a secret that never prints.

use std::fmt;

/// A Stack Auth secret server key (`ssk_…`). Its `Debug` and `Display` print `[redacted]`; the
/// only way to read it is [`SecretServerKey::expose`], which the REST verifier calls when it builds
/// the request header.
///
/// ```
/// use stack_auth_core::SecretServerKey;
///
/// let key = SecretServerKey::new("ssk_very_secret");
/// assert_eq!(format!("{key:?} {key}"), "SecretServerKey([redacted]) [redacted]");
/// assert_eq!(key.expose(), "ssk_very_secret");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SecretServerKey(Box<str>);

impl SecretServerKey {
    /// Wraps a secret server key.
    pub fn new(key: impl Into<String>) -> Self {
        SecretServerKey(key.into().into_boxed_str())
    }

    /// The key itself. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the key is empty (an unset environment variable, usually).
    pub fn is_empty(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl fmt::Debug for SecretServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretServerKey([redacted])")
    }
}

impl fmt::Display for SecretServerKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl From<String> for SecretServerKey {
    fn from(s: String) -> Self {
        SecretServerKey::new(s)
    }
}

impl From<&str> for SecretServerKey {
    fn from(s: &str) -> Self {
        SecretServerKey::new(s)
    }
}

/// Formats a token for logs and `Debug` without revealing it: its length and a short,
/// non-reversible fingerprint prefix are enough to correlate log lines.
///
/// ```
/// let shown = stack_auth_core::redact_token("eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln");
/// assert!(shown.starts_with("[token len=41 fp="));
/// assert!(!shown.contains("eyJ"));
/// ```
pub fn redact_token(token: &str) -> String {
    // FNV-1a: a fingerprint for correlating log lines, not a security boundary.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in token.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("[token len={} fp={:08x}]", token.len(), h >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_printed() {
        let k = SecretServerKey::new("ssk_abc123");
        for s in [format!("{k:?}"), format!("{k}"), format!("{k:#?}")] {
            assert!(!s.contains("abc123"), "{s}");
        }
        assert!(SecretServerKey::new("  ").is_empty());
        assert!(!k.is_empty());
    }

    #[test]
    fn redaction_is_stable_and_distinguishes() {
        assert_eq!(redact_token("a.b.c"), redact_token("a.b.c"));
        assert_ne!(redact_token("a.b.c"), redact_token("a.b.d"));
        assert!(!redact_token("secret-token-value").contains("secret"));
    }
}
