//! What names a shared entry: a [`CacheNamespace`] (which kind of answer, in which encoding) and a
//! [`CacheKey`] (a digest of what identifies it, never the credential itself).

use std::fmt;

/// The length of a [`CacheKey`]: a SHA-256 digest.
pub const CACHE_KEY_LEN: usize = 32;

/// The longest [`CacheNamespace`] name.
pub const MAX_NAMESPACE_LEN: usize = 32;

/// Which kind of answer a shared entry holds, and in which encoding: entries of different
/// namespaces never collide, and a new encoding takes a new name (`profiles.v2`), so processes
/// of two SDK versions sharing a cache never read each other's values.
///
/// The SDK's verifiers use the constants; a verifier of your own takes a name of its own with
/// [`CacheNamespace::new`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheNamespace(&'static str);

impl CacheNamespace {
    /// users/me answers that accepted a token (the verdict and the server profile), keyed by
    /// the token's digest.
    pub const PROFILES: CacheNamespace = CacheNamespace("profiles.v1");
    /// users/me answers that refused a token (the refusal), keyed by the token's digest.
    pub const REFUSALS: CacheNamespace = CacheNamespace("refusals.v1");
    /// API key verdicts (the key's owner and state, or the refusal), keyed by the key's digest.
    pub const API_KEYS: CacheNamespace = CacheNamespace("api_keys.v1");
    /// Permission answers, keyed by a digest of `(user, team or project, permission)`.
    pub const PERMISSIONS: CacheNamespace = CacheNamespace("permissions.v1");
    /// Session liveness: a user's session list (the ids of its listed sessions), keyed by a
    /// digest of the user id.
    pub const SESSIONS: CacheNamespace = CacheNamespace("sessions.v1");
    /// Users known to be deleted, keyed by a digest of the user id: their unexpired tokens
    /// are refused until the longest token lifetime has passed.
    pub const DELETED_USERS: CacheNamespace = CacheNamespace("deleted_users.v1");
    /// Sessions known to have ended, keyed by a digest of the session id: their unexpired
    /// tokens are refused until the longest token lifetime has passed.
    pub const ENDED_SESSIONS: CacheNamespace = CacheNamespace("ended_sessions.v1");
    /// Users by id (the server profile, or "no such user"), keyed by a digest of the user id.
    pub const USERS: CacheNamespace = CacheNamespace("users.v1");

    /// A namespace named `name`: 1 to [`MAX_NAMESPACE_LEN`] bytes of lower-case ASCII
    /// letters, digits, `_`, `.` and `-` (it becomes part of a key in the shared store), or
    /// `None`. Usable in `const` items.
    ///
    /// ```
    /// use stack_auth_core::CacheNamespace;
    ///
    /// const BANS: CacheNamespace = match CacheNamespace::new("my_bans.v1") {
    ///     Some(ns) => ns,
    ///     None => panic!("not a namespace name"),
    /// };
    /// assert_eq!(BANS.as_str(), "my_bans.v1");
    /// assert!(CacheNamespace::new("Bad Name").is_none());
    /// ```
    pub const fn new(name: &'static str) -> Option<CacheNamespace> {
        let bytes = name.as_bytes();
        if bytes.is_empty() || bytes.len() > MAX_NAMESPACE_LEN {
            return None;
        }
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'-' => {}
                _ => return None,
            }
            i += 1;
        }
        Some(CacheNamespace(name))
    }

    /// The name.
    pub const fn as_str(&self) -> &'static str {
        self.0
    }
}

impl fmt::Display for CacheNamespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The key of a shared entry: a [`CACHE_KEY_LEN`]-byte digest (SHA-256) of what identifies the
/// answer. The type holds a digest only, so a credential cannot end up as a key.
///
/// `Display` is the lower-case hex of the digest; `Debug` shows its first 8 hex digits.
///
/// ```
/// use stack_auth_core::CacheKey;
///
/// let key = CacheKey::from_digest([0xab; 32]);
/// assert_eq!(key.to_string(), "ab".repeat(32));
/// assert_eq!(format!("{key:?}"), "CacheKey(abababab…)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CacheKey([u8; CACHE_KEY_LEN]);

impl CacheKey {
    /// The key of the entry whose identifying input digests to `digest`.
    pub const fn from_digest(digest: [u8; CACHE_KEY_LEN]) -> Self {
        CacheKey(digest)
    }

    /// The digest.
    pub const fn as_bytes(&self) -> &[u8; CACHE_KEY_LEN] {
        &self.0
    }
}

impl From<[u8; CACHE_KEY_LEN]> for CacheKey {
    fn from(digest: [u8; CACHE_KEY_LEN]) -> Self {
        CacheKey(digest)
    }
}

impl fmt::Display for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for byte in self.0 {
            write!(f, "{byte:02x}")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CacheKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, ..] = self.0;
        write!(f, "CacheKey({a:02x}{b:02x}{c:02x}{d:02x}…)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_names_are_checked() {
        for good in [
            "a",
            "profiles.v1",
            "my-ns_2",
            "x".repeat(MAX_NAMESPACE_LEN).as_str(),
        ] {
            let name: &'static str = Box::leak(good.to_owned().into_boxed_str());
            assert_eq!(CacheNamespace::new(name).map(|n| n.as_str()), Some(name));
        }
        for bad in [
            "",
            "Upper",
            "with space",
            "colon:",
            "star*",
            "é",
            "x".repeat(33).as_str(),
        ] {
            let name: &'static str = Box::leak(bad.to_owned().into_boxed_str());
            assert!(CacheNamespace::new(name).is_none(), "{bad:?} accepted");
        }
    }

    #[test]
    fn the_sdk_namespaces_are_valid_and_distinct() {
        let all = [
            CacheNamespace::PROFILES,
            CacheNamespace::REFUSALS,
            CacheNamespace::API_KEYS,
            CacheNamespace::PERMISSIONS,
            CacheNamespace::SESSIONS,
            CacheNamespace::DELETED_USERS,
            CacheNamespace::ENDED_SESSIONS,
            CacheNamespace::USERS,
        ];
        for ns in all {
            assert_eq!(CacheNamespace::new(ns.as_str()), Some(ns));
        }
        let mut names: Vec<_> = all.iter().map(CacheNamespace::as_str).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
    }

    #[test]
    fn keys_print_as_hex() {
        let mut digest = [0u8; CACHE_KEY_LEN];
        digest[0] = 0x0f;
        digest[31] = 0xa0;
        let key = CacheKey::from(digest);
        let hex = key.to_string();
        assert_eq!(hex.len(), 64);
        assert!(hex.starts_with("0f00") && hex.ends_with("00a0"));
        assert_eq!(format!("{key:?}"), "CacheKey(0f000000…)");
        assert_eq!(key.as_bytes(), &digest);
    }
}
