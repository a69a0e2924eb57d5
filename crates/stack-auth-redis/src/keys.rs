//! Where things live in Redis. Every name starts with `stack-auth:<deployment>:`:
//!
//! | name | type | holds |
//! |---|---|---|
//! | `…:e:<namespace>:<64 hex digits>` | hash | an entry: `v` the value, `t` its tag names, `e` the epochs they had when it was stored; expires with the entry's TTL |
//! | `…:t:<64 hex digits>` | string | a tag's current epoch (a random nonce); the digits are the SHA-256 of the tag ([`CacheTag`]'s `Display`), so no id appears in a key name |
//! | `…:evictions` | pub/sub channel | the eviction bus |

use std::fmt::Write as _;

use sha2::{Digest, Sha256};
use stack_auth_core::{CacheKey, CacheNamespace, CacheTag};

use crate::config::MAX_DEPLOYMENT_LEN;

/// The key names of one deployment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Keys {
    deployment: String,
    prefix: String,
}

impl Keys {
    /// The names of `deployment`, or `None` when the name is not allowed.
    pub(crate) fn new(deployment: &str) -> Option<Keys> {
        let allowed = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-');
        let ok =
            (1..=MAX_DEPLOYMENT_LEN).contains(&deployment.len()) && deployment.bytes().all(allowed);
        ok.then(|| Keys {
            deployment: deployment.to_owned(),
            prefix: format!("stack-auth:{deployment}:"),
        })
    }

    pub(crate) fn deployment(&self) -> &str {
        &self.deployment
    }

    /// The hash holding the entry `key` of `namespace`.
    pub(crate) fn entry(&self, namespace: CacheNamespace, key: &CacheKey) -> String {
        format!("{}e:{namespace}:{key}", self.prefix)
    }

    /// The string holding `tag`'s epoch.
    pub(crate) fn tag(&self, tag: &CacheTag) -> String {
        let digest = Sha256::digest(tag.to_string().as_bytes());
        let mut name = String::with_capacity(self.prefix.len() + 2 + 64);
        name.push_str(&self.prefix);
        name.push_str("t:");
        for byte in digest {
            let _ = write!(name, "{byte:02x}");
        }
        name
    }

    /// The eviction bus's channel.
    pub(crate) fn channel(&self) -> String {
        format!("{}evictions", self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_prefixed_and_carry_no_id() {
        let keys = Keys::new("prod").unwrap_or_else(|| panic!("valid name"));
        let key = CacheKey::from_digest([0x11; 32]);
        assert_eq!(
            keys.entry(CacheNamespace::PROFILES, &key),
            format!("stack-auth:prod:e:profiles.v1:{}", "11".repeat(32))
        );
        let user = keys.tag(&CacheTag::User("3241a285-8329".into()));
        assert!(
            user.starts_with("stack-auth:prod:t:") && user.len() == 18 + 64,
            "{user}"
        );
        assert!(!user.contains("3241a285"));
        assert_ne!(
            user,
            keys.tag(&CacheTag::UserProfile("3241a285-8329".into()))
        );
        assert_eq!(keys.channel(), "stack-auth:prod:evictions");
        let other = Keys::new("staging").unwrap_or_else(|| panic!("valid name"));
        assert_ne!(
            other.tag(&CacheTag::Everything),
            keys.tag(&CacheTag::Everything)
        );
    }
}
