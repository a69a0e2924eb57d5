//! API keys in the test API (PROTOCOL §10.2): creating keys in the real format, revoking
//! them, and the per-project feature gate.

use super::LocalStackAuth;
use crate::api_key::{random_secret_part, Expiry};
use crate::ids::random_uuid;
use crate::{format_api_key, ApiKey, ApiKeySpec, ApiKeyType, CreatedApiKey, TestkitError};

impl LocalStackAuth {
    /// Creates an API key of a user or team the stand-in holds, in the project holding it,
    /// as `POST /user-api-keys` (`/team-api-keys`) would: the key string in the exact format
    /// of PROTOCOL §10.2.4 and the key object. Expiry is measured on the stand-in's clock.
    /// Keys can be created while the project's feature flag is off; the check endpoints then
    /// refuse them as the real server does.
    ///
    /// # Errors
    ///
    /// [`TestkitError::InvalidApiKey`] for an owner the stand-in does not hold, a bad fixed
    /// secret part or id, or a key or id that already exists.
    pub fn create_api_key(&self, spec: ApiKeySpec) -> Result<CreatedApiKey, TestkitError> {
        let now = self.state.clock.now_millis();
        let id = spec.key_id.clone().unwrap_or_else(random_uuid);
        let secret = spec.secret_part.clone().unwrap_or_else(random_secret_part);
        let key = format_api_key(&secret, &id, spec.key_type, spec.public, spec.cloud)?;
        let expires_at_millis = match spec.expiry {
            Expiry::Never => None,
            Expiry::AtMillis(at) => Some(at),
            Expiry::In(d) => {
                Some(now.saturating_add(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)))
            }
        };
        let object = ApiKey {
            id: id.to_ascii_lowercase(),
            description: spec.description,
            created_at_millis: now,
            expires_at_millis,
            manually_revoked_at_millis: None,
            is_public: spec.public,
            last_four: key[key.len() - 4..].to_owned(),
            key_type: spec.key_type,
            owner_id: spec.owner_id,
        };
        let mut inner = self.state.lock();
        let pid = match object.key_type {
            ApiKeyType::User => inner.project_of_user(&object.owner_id),
            ApiKeyType::Team => inner.project_of_team(&object.owner_id),
        }
        .ok_or_else(|| {
            TestkitError::InvalidApiKey(
                format!(
                    "no {} {} on the stand-in",
                    object.key_type.as_str(),
                    object.owner_id
                )
                .into(),
            )
        })?
        .to_owned();
        let store = &mut inner.project_mut(&pid)?.data.api_keys;
        if store.find(&key).is_some() || store.by_id_mut(&object.id).is_some() {
            return Err(TestkitError::InvalidApiKey(
                "this key already exists".into(),
            ));
        }
        store.insert(key.clone(), object.clone());
        Ok(CreatedApiKey {
            key,
            api_key: object,
        })
    }

    /// Revokes an API key (`manually_revoked_at`, by the stand-in's clock); checks then answer
    /// `API_KEY_REVOKED`. Revoking twice keeps the first time.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownApiKey`].
    pub fn revoke_api_key(&self, key_id: &str) -> Result<ApiKey, TestkitError> {
        let now = self.state.clock.now_millis();
        let mut inner = self.state.lock();
        let key = inner
            .projects
            .values_mut()
            .find_map(|p| p.data.api_keys.by_id_mut(key_id))
            .ok_or_else(|| TestkitError::UnknownApiKey(key_id.to_owned()))?;
        key.manually_revoked_at_millis.get_or_insert(now);
        Ok(key.clone())
    }

    /// The key object of `key_id`, if it exists.
    pub fn api_key(&self, key_id: &str) -> Option<ApiKey> {
        let mut inner = self.state.lock();
        inner
            .projects
            .values_mut()
            .find_map(|p| p.data.api_keys.by_id_mut(key_id).map(|k| k.clone()))
    }

    /// Turns the default project's API key features on or off (`apiKeys.enabled.user` /
    /// `.team`; both off by default, as on the real service).
    pub fn set_api_keys_enabled(&self, user_keys: bool, team_keys: bool) {
        let _ = self.set_api_keys_enabled_in(&self.default_project, user_keys, team_keys);
    }

    /// Like [`LocalStackAuth::set_api_keys_enabled`], for another hosted project.
    ///
    /// # Errors
    ///
    /// [`TestkitError::UnknownProject`].
    pub fn set_api_keys_enabled_in(
        &self,
        project_id: &str,
        user_keys: bool,
        team_keys: bool,
    ) -> Result<(), TestkitError> {
        let mut inner = self.state.lock();
        let store = &mut inner.project_mut(project_id)?.data.api_keys;
        store.user_enabled = user_keys;
        store.team_enabled = team_keys;
        Ok(())
    }
}
