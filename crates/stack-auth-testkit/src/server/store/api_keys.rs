//! API keys of one project and its feature gate (PROTOCOL §10.2).

use crate::{ApiKey, ApiKeyType};

/// The keys in creation order, each with its full string, and the two feature flags
/// (`apiKeys.enabled.user` / `.team`, both off by default as on the real service).
#[derive(Debug, Default)]
pub(crate) struct ApiKeyStore {
    pub(crate) user_enabled: bool,
    pub(crate) team_enabled: bool,
    rows: Vec<(String, ApiKey)>,
}

impl ApiKeyStore {
    pub(crate) fn new(user_enabled: bool, team_enabled: bool) -> Self {
        ApiKeyStore {
            user_enabled,
            team_enabled,
            rows: Vec::new(),
        }
    }

    pub(crate) fn enabled(&self, key_type: ApiKeyType) -> bool {
        match key_type {
            ApiKeyType::User => self.user_enabled,
            ApiKeyType::Team => self.team_enabled,
        }
    }

    pub(crate) fn insert(&mut self, key: String, object: ApiKey) {
        self.rows.push((key, object));
    }

    /// The key whose string is exactly `key` (the server never parses it).
    pub(crate) fn find(&self, key: &str) -> Option<&ApiKey> {
        self.rows.iter().find(|(k, _)| k == key).map(|(_, o)| o)
    }

    pub(crate) fn by_id_mut(&mut self, id: &str) -> Option<&mut ApiKey> {
        self.rows
            .iter_mut()
            .find(|(_, o)| o.id == id)
            .map(|(_, o)| o)
    }

    /// The keys of one owner, newest first.
    pub(crate) fn of_owner(&self, key_type: ApiKeyType, owner_id: &str) -> Vec<&ApiKey> {
        let mut list: Vec<&ApiKey> = self
            .rows
            .iter()
            .rev()
            .map(|(_, o)| o)
            .filter(|o| o.key_type == key_type && o.owner_id == owner_id)
            .collect();
        list.sort_by_key(|o| std::cmp::Reverse(o.created_at_millis));
        list
    }

    /// Deletes the keys of an owner (deleting a user or team deletes its keys).
    pub(crate) fn remove_owner(&mut self, key_type: ApiKeyType, owner_id: &str) {
        self.rows
            .retain(|(_, o)| !(o.key_type == key_type && o.owner_id == owner_id));
    }
}
