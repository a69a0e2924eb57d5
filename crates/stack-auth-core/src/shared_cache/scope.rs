//! [`CacheScope`]: the project a shared entry belongs to, the one rule every verifier names
//! its shared entries by.

use sha2::{Digest, Sha256};

use super::CacheKey;
use crate::StackAuthConfig;

/// The project (its id and Stack Auth base URL) whose answers a process shares: every
/// [`CacheKey`] of the SDK's verifiers is made here, so that deployments of several projects
/// sharing one cache (staging and production, a multi-tenant process) never read each other's
/// entries, even under one deployment name.
///
/// ```
/// use stack_auth_core::{CacheScope, StackAuthConfig};
///
/// let staging = CacheScope::of(&StackAuthConfig::new("staging-project")?);
/// let production = CacheScope::of(&StackAuthConfig::new("production-project")?);
/// let user = "2f6b1e7c-4d10-4c1b-9d38-9a1f0c526a7e".as_bytes();
/// assert_eq!(staging.key(&[user]), staging.key(&[user]));
/// assert_ne!(staging.key(&[user]), production.key(&[user]));
/// # Ok::<(), stack_auth_core::ConfigError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct CacheScope([u8; 32]);

impl CacheScope {
    /// The scope of `config`'s project and base URL.
    pub fn of(config: &StackAuthConfig) -> Self {
        CacheScope(digest(&[
            b"stack-auth project",
            config.project_id().as_bytes(),
            config.base_url().as_bytes(),
        ]))
    }

    /// The key of the entry identified by `parts` in this scope: the SHA-256 of the scope and
    /// the parts, each prefixed with its length (so no two lists of parts digest alike).
    pub fn key(&self, parts: &[&[u8]]) -> CacheKey {
        let mut sha = Sha256::new();
        update(&mut sha, &self.0);
        for part in parts {
            update(&mut sha, part);
        }
        CacheKey::from_digest(sha.finalize().into())
    }
}

impl std::fmt::Debug for CacheScope {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CacheScope({})", CacheKey::from_digest(self.0))
    }
}

fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut sha = Sha256::new();
    for part in parts {
        update(&mut sha, part);
    }
    sha.finalize().into()
}

fn update(sha: &mut Sha256, part: &[u8]) {
    sha.update((part.len() as u64).to_be_bytes());
    sha.update(part);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_differ_by_project_and_host_and_parts_do_not_run_together() {
        let config = |project: &str, base: &str| {
            StackAuthConfig::builder(project)
                .base_url(base)
                .build()
                .unwrap_or_else(|e| panic!("{e}"))
        };
        let a = CacheScope::of(&config("p1", "https://api.stack-auth.com"));
        let b = CacheScope::of(&config("p2", "https://api.stack-auth.com"));
        let c = CacheScope::of(&config("p1", "https://auth.example.com"));
        assert_ne!(a, b);
        assert_ne!(a, c);
        assert_eq!(
            a,
            CacheScope::of(&config("p1", "https://api.stack-auth.com"))
        );
        assert_ne!(a.key(&[b"ab", b"c"]), a.key(&[b"a", b"bc"]));
        assert_ne!(a.key(&[b"x"]), b.key(&[b"x"]));
    }
}
