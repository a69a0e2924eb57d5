//! How API key verdicts are shared with the fleet: in `api_keys.v1` under the key's SHA-256,
//! the key's id, dates and owner (a team id, or the user's server profile), never the key.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use stack_auth_core::{
    ApiKeyOwner, CacheNamespace, ServerUser, StackAuthConfig, VerifiedApiKey, VerifiedUser,
};

use crate::{profile::parse_profile, shared_tier::Share};

/// The share of [`ApiKeys`](crate::ApiKeys)'s verdicts.
pub(super) const SHARE: Share<[u8; 32], VerifiedApiKey> = Share {
    namespace: CacheNamespace::API_KEYS,
    refusals: None,
    key: |hash| *hash,
    encode,
    decode,
};

/// A verified key, as stored.
#[derive(Serialize, Deserialize)]
struct Record {
    id: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    description: String,
    #[serde(default)]
    public: bool,
    #[serde(default)]
    created: Option<i64>,
    #[serde(default)]
    expires: Option<i64>,
    #[serde(default)]
    last_four: Option<String>,
    #[serde(default)]
    team: Option<String>,
    /// The owner's profile, as users by id answered it.
    #[serde(default)]
    user: Option<Box<serde_json::value::RawValue>>,
}

fn encode(key: &VerifiedApiKey) -> Option<Vec<u8>> {
    let (team, user) = match key.owner() {
        ApiKeyOwner::Team { team_id, .. } => (Some(team_id.clone()), None),
        ApiKeyOwner::User { user } => {
            let json = serde_json::to_string(user.profile()?).ok()?;
            (
                None,
                Some(serde_json::value::RawValue::from_string(json).ok()?),
            )
        }
        _ => return None,
    };
    let record = Record {
        id: key.key_id().to_owned(),
        description: key.description().to_owned(),
        public: key.is_public(),
        created: key.created_at_millis(),
        expires: key.expires_at_millis(),
        last_four: key.last_four().map(str::to_owned),
        team,
        user,
    };
    serde_json::to_vec(&record).ok()
}

/// The verified key in `bytes`; `None` when its owner is a user of a type this process does
/// not accept (it asks Stack Auth, and refuses, itself).
fn decode(bytes: &[u8], config: &StackAuthConfig) -> Option<VerifiedApiKey> {
    let record: Record = serde_json::from_slice(bytes).ok()?;
    let owner = match (record.team, record.user) {
        (Some(team), None) => ApiKeyOwner::team(team),
        (None, Some(profile)) => {
            let profile: ServerUser = parse_profile(profile.get().as_bytes()).ok()?;
            let (id, kind) = (profile.id.clone(), profile.user_type());
            let user = VerifiedUser::new(id, config.project_id(), kind, None)
                .with_shared_profile(Arc::new(profile));
            if !config.accepts(user.user_type()) {
                return None;
            }
            ApiKeyOwner::user(user)
        }
        _ => return None,
    };
    let key = VerifiedApiKey::new(record.id, owner)
        .with_description(record.description)
        .with_public(record.public)
        .with_created_at_millis(record.created)
        .with_expires_at_millis(record.expires);
    Some(match record.last_four {
        Some(last_four) => key.with_last_four(last_four),
        None => key,
    })
}
