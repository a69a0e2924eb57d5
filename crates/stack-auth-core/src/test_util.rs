//! Test doubles for code that takes a [`TokenVerifier`](crate::TokenVerifier), an
//! [`ApiKeyVerifier`](crate::ApiKeyVerifier), a [`PermissionChecker`](crate::PermissionChecker),
//! a [`Clock`](crate::Clock) or a [`SharedCache`](crate::SharedCache) (feature `test-util`).
//!
//! ```
//! use stack_auth_core::{test_util::StaticVerifier, TokenVerifier, UserType, VerifiedUser};
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let verifier = StaticVerifier::accept(VerifiedUser::new("u1", "p1", UserType::Normal, None));
//! assert_eq!(verifier.verify("any token").await.unwrap().user_id(), "u1");
//! # });
//! ```

mod fn_verifier;
mod manual_clock;
mod memory_shared_cache;
mod recording;
mod static_api_keys;
mod static_permissions;
mod static_verifier;

pub use fn_verifier::FnVerifier;
pub use manual_clock::ManualClock;
pub use memory_shared_cache::MemorySharedCache;
pub use recording::RecordingVerifier;
pub use static_api_keys::{
    StaticApiKeys, EXAMPLE_PUBLIC_USER_KEY, EXAMPLE_TEAM_KEY, EXAMPLE_USER_KEY,
};
pub use static_permissions::StaticPermissions;
pub use static_verifier::StaticVerifier;

use crate::Eviction;

/// One [`Eviction`] of each kind, in declaration order, about user `u1`, team `t1`, session
/// `s1` and API key `k1`: for tests that check a cache handles every kind.
///
/// ```
/// let kinds = stack_auth_core::test_util::every_eviction();
/// assert_eq!(kinds.last(), Some(&stack_auth_core::Eviction::All));
/// ```
pub fn every_eviction() -> Vec<Eviction> {
    let (u, t) = (String::from("u1"), String::from("t1"));
    vec![
        Eviction::UserUpdated { user_id: u.clone() },
        Eviction::UserDeleted { user_id: u.clone() },
        Eviction::SessionEnded {
            user_id: u.clone(),
            session_id: "s1".into(),
        },
        Eviction::TeamPermissions {
            team_id: t.clone(),
            user_id: u.clone(),
        },
        Eviction::ProjectPermissions { user_id: u.clone() },
        Eviction::TeamMembership {
            team_id: t.clone(),
            user_id: u,
        },
        Eviction::Team { team_id: t },
        Eviction::ApiKey {
            key_id: "k1".into(),
        },
        Eviction::All,
    ]
}
