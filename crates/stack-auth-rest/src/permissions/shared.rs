//! How permission answers are shared with the fleet, in `permissions.v1`: a user's list under
//! a digest of (user, team or project, `recursive`), the items as JSON; a token's answer under a
//! digest of (the token's SHA-256, team or project, permission), `1` or `0`.

use std::sync::Arc;

use stack_auth_core::{CacheNamespace, StackAuthConfig};

use super::{query::Held, Item, ListKey, TokenKey};
use crate::shared_tier::{digest, Share};

/// The share of a user's permission lists.
pub(super) const LISTS: Share<ListKey, Arc<[Item]>> = Share {
    namespace: CacheNamespace::PERMISSIONS,
    refusals: None,
    key: |key| {
        let (scope, team) = held(&key.held);
        let recursive: &[u8] = if key.recursive { b"1" } else { b"0" };
        digest(&[b"list", scope, team, key.user.as_bytes(), recursive])
    },
    encode: |items| serde_json::to_vec(&**items).ok(),
    decode: decode_list,
};

/// The share of the answers of checks by token.
pub(super) const BY_TOKEN: Share<TokenKey, bool> = Share {
    namespace: CacheNamespace::PERMISSIONS,
    refusals: None,
    key: |key| {
        let (scope, team) = held(&key.held);
        digest(&[b"token", &key.token, scope, team, key.permission.as_bytes()])
    },
    encode: |held| Some(vec![if *held { b'1' } else { b'0' }]),
    decode: |bytes, _| match bytes {
        b"1" => Some(true),
        b"0" => Some(false),
        _ => None,
    },
};

/// Where, as digest parts.
fn held(held: &Held) -> (&'static [u8], &[u8]) {
    match held {
        Held::Team(team) => (b"team", team.as_bytes()),
        Held::Project => (b"project", b""),
    }
}

fn decode_list(bytes: &[u8], _: &StackAuthConfig) -> Option<Arc<[Item]>> {
    serde_json::from_slice::<Vec<Item>>(bytes)
        .ok()
        .map(Into::into)
}
