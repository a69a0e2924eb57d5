//! [`SharedTier`]: the fleet's tier behind a capability's own cache. When the [`ServerApi`] was
//! given a [`SharedCache`](stack_auth_core::SharedCache)
//! ([`ServerApiBuilder::shared_cache`](crate::ServerApiBuilder::shared_cache)), an answer missing
//! from the process's [`TaggedCache`](crate::tagged_cache::TaggedCache) is looked for there
//! before Stack Auth is asked, and an answer Stack Auth gave is stored there for the other
//! processes, with the same lifetime and the same tags.
//!
//! Each cache says how its answers are shared in a [`Share`]: the namespace, the digest that
//! names an entry (never the credential), and the encoding of a successful answer. Refusals are
//! encoded once for all, here. A stored value is a one-line JSON header (the entry's [`Tag`]s, so
//! a process that copies it can find it again for an eviction, and the refusal if it is one)
//! followed by the answer's own bytes.

use std::{sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use stack_auth_core::{
    CacheKey, CacheNamespace, CacheScope, CacheTag, DynSharedCache, Refusal, RefusalReason,
    StackAuthConfig, VerifyError,
};

use crate::{memo::Answer, tagged_cache::Tag, ServerApi};

/// How one cache's answers are shared: where, under which key, in which encoding.
pub(crate) struct Share<K, V> {
    /// The namespace of the answers (and of refusals, unless `refusals` names another).
    pub(crate) namespace: CacheNamespace,
    /// A namespace of their own for refusals (the verifier's `refusals.v1`); both are read,
    /// at once, on a miss.
    pub(crate) refusals: Option<CacheNamespace>,
    /// The SHA-256 of what identifies the answer (the token, the key, the user id, ...).
    pub(crate) key: fn(&K) -> [u8; 32],
    /// A successful answer's bytes, or `None` when it is not to be shared.
    pub(crate) encode: fn(&V) -> Option<Vec<u8>>,
    /// The answer from its bytes, for this configuration; `None` when they are not one (or
    /// not one this process accepts): a miss.
    pub(crate) decode: fn(&[u8], &StackAuthConfig) -> Option<V>,
}

impl<K, V> Clone for Share<K, V> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, V> Copy for Share<K, V> {}

/// An answer found in the shared cache: what it says, what it mentions, how long it has left.
pub(crate) struct SharedAnswer<V> {
    pub(crate) answer: Answer<V>,
    pub(crate) tags: Vec<Tag>,
    pub(crate) remaining: Duration,
}

/// A cache's tier in the shared cache of its [`ServerApi`].
pub(crate) struct SharedTier<K, V> {
    cache: Arc<DynSharedCache>,
    config: StackAuthConfig,
    share: Share<K, V>,
    /// The project every key is made in.
    scope: CacheScope,
}

impl<K, V> SharedTier<K, V> {
    /// The tier of `share` on `api`'s shared cache, if it has one.
    pub(crate) fn of(api: &ServerApi, share: &Share<K, V>) -> Option<Self> {
        Some(SharedTier {
            cache: Arc::clone(api.inner.shared.as_ref()?),
            config: api.config().clone(),
            share: *share,
            scope: CacheScope::of(api.config()),
        })
    }

    /// The shared cache's key of `key`: the project's scope and the answer's own digest.
    fn cache_key(&self, key: &K) -> CacheKey {
        self.scope.key(&[&(self.share.key)(key)])
    }

    /// The answer to `key` another process stored, if any (a shared cache that is slow or
    /// down answers like a miss, within its own timeout).
    pub(crate) async fn read(&self, key: &K) -> Option<SharedAnswer<V>> {
        let digest = self.cache_key(key);
        let (namespace, cache) = (self.share.namespace, &self.cache);
        let hit = match self.share.refusals {
            None => cache.get(namespace, &digest).await,
            Some(refusals) => {
                let (ok, refused) =
                    tokio::join!(cache.get(namespace, &digest), cache.get(refusals, &digest));
                ok.or(refused)
            }
        }?;
        let decoded = decode(hit.value(), &self.share, &self.config);
        if decoded.is_none() {
            tracing::debug!(target: "stack_auth_rest", %namespace, "unreadable shared entry ignored");
        }
        let (answer, tags) = decoded?;
        Some(SharedAnswer {
            answer,
            tags,
            remaining: hit.remaining(),
        })
    }

    /// Stores `answer` to `key` for the other processes, for `ttl` (the lifetime this process
    /// gave it) and findable by `tags`. Not stored: what is kept for no time, answers other
    /// than successes and refusals, refusals that depend on this process's settings, and
    /// entries with a tag the shared cache has no counterpart for.
    pub(crate) async fn write(&self, key: &K, answer: &Answer<V>, ttl: Duration, tags: &[Tag]) {
        if ttl.is_zero() {
            return;
        }
        let Some(shared_tags) = tags.iter().map(shared_tag).collect::<Option<Vec<_>>>() else {
            return;
        };
        let Some((namespace, value)) = encode(answer, tags, &self.share) else {
            return;
        };
        let digest = self.cache_key(key);
        self.cache
            .put(namespace, &digest, &value, ttl, &shared_tags)
            .await;
    }
}

impl<K, V> std::fmt::Debug for SharedTier<K, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedTier")
            .field("namespace", &self.share.namespace)
            .field("cache", &self.cache)
            .finish()
    }
}

/// The SHA-256 of `parts`, each prefixed with its length (so no two lists of parts digest
/// alike): the key of an answer identified by several things.
pub(crate) fn digest(parts: &[&[u8]]) -> [u8; 32] {
    let mut sha = Sha256::new();
    for part in parts {
        sha.update((part.len() as u64).to_be_bytes());
        sha.update(part);
    }
    sha.finalize().into()
}

/// The shared cache's tag for an in-process one, so an [`Eviction`](stack_auth_core::Eviction)
/// voids a shared entry exactly when it drops the in-process copy; `None` for a tag it has no
/// counterpart for (a user's team list: `TeamMembership` voids one team's member tag there).
pub(crate) fn shared_tag(tag: &Tag) -> Option<CacheTag> {
    Some(match tag {
        Tag::Profile(user) => CacheTag::UserProfile(user.clone()),
        Tag::User(user) => CacheTag::User(user.clone()),
        Tag::TeamUser(team_id, user_id) => CacheTag::TeamMember {
            team_id: team_id.clone(),
            user_id: user_id.clone(),
        },
        Tag::ProjectPermissions(user) => CacheTag::ProjectPermissions(user.clone()),
        Tag::TeamsOf(_) => return None,
        Tag::Team(team) => CacheTag::Team(team.clone()),
        Tag::ApiKey(id) => CacheTag::ApiKey(id.clone()),
    })
}

/// The header line of a stored value.
#[derive(Serialize)]
struct HeaderOut<'a> {
    t: &'a [Tag],
    #[serde(skip_serializing_if = "Option::is_none")]
    r: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    d: Option<&'a str>,
}

/// The header line, read back.
#[derive(Deserialize)]
struct HeaderIn {
    t: Vec<Tag>,
    #[serde(default)]
    r: Option<String>,
    #[serde(default)]
    d: Option<String>,
}

/// The namespace and bytes of `answer`; `None` when it is not shared.
fn encode<K, V>(
    answer: &Answer<V>,
    tags: &[Tag],
    share: &Share<K, V>,
) -> Option<(CacheNamespace, Vec<u8>)> {
    let (namespace, header, payload) = match answer {
        Ok(value) => {
            let header = HeaderOut {
                t: tags,
                r: None,
                d: None,
            };
            (share.namespace, header, (share.encode)(value)?)
        }
        // Whether a user type is let in is this process's setting, not a fact about the token.
        Err(VerifyError::Refused(refusal))
            if refusal.reason() != RefusalReason::UserTypeNotAllowed =>
        {
            let header = HeaderOut {
                t: tags,
                r: Some(refusal.reason().as_str()),
                d: refusal.detail(),
            };
            (
                share.refusals.unwrap_or(share.namespace),
                header,
                Vec::new(),
            )
        }
        Err(_) => return None,
    };
    let mut value = serde_json::to_vec(&header).ok()?;
    value.push(b'\n');
    value.extend_from_slice(&payload);
    Some((namespace, value))
}

/// The answer and tags in `value`; `None` when it is not a value [`encode`] made.
fn decode<K, V>(
    value: &[u8],
    share: &Share<K, V>,
    config: &StackAuthConfig,
) -> Option<(Answer<V>, Vec<Tag>)> {
    let line = value.iter().position(|b| *b == b'\n')?;
    let header: HeaderIn = serde_json::from_slice(&value[..line]).ok()?;
    let answer = match header.r {
        Some(label) => {
            let refusal = Refusal::new(RefusalReason::from_label(&label)?);
            let refusal = match header.d {
                Some(detail) => refusal.with_detail(detail),
                None => refusal,
            };
            Err(refusal.into())
        }
        None => Ok((share.decode)(&value[line + 1..], config)?),
    };
    Some((answer, header.t))
}

#[cfg(test)]
mod tests;
