//! `POST /api/v1/{user,team}-api-keys/check` (PROTOCOL §10.2.1–10.2.3): the request, the key
//! object of a 200 answer, and what each of the endpoint's own answers means.

use serde::Deserialize;
use stack_auth_core::{
    ApiKeyType, MisconfigKind, Misconfiguration, Refusal, RefusalReason, VerifyError,
};

use crate::{
    endpoint::Endpoint,
    error::{sanitize, RestError},
    known_error::KnownError,
    request::ApiRequest,
};

/// The key object of a 200 check (PROTOCOL §10.2.2), as far as a verifier needs it.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct KeyObject {
    pub(crate) id: String,
    #[serde(default)]
    pub(crate) description: Option<String>,
    #[serde(default)]
    pub(crate) created_at_millis: Option<f64>,
    #[serde(default)]
    pub(crate) expires_at_millis: Option<f64>,
    #[serde(default)]
    pub(crate) manually_revoked_at_millis: Option<f64>,
    #[serde(default)]
    pub(crate) is_public: bool,
    #[serde(default)]
    pub(crate) value: Option<LastFour>,
    #[serde(rename = "type")]
    pub(crate) key_type: ApiKeyType,
    #[serde(default)]
    pub(crate) user_id: Option<String>,
    #[serde(default)]
    pub(crate) team_id: Option<String>,
}

/// The key object's `value`: the last four characters of the key string.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct LastFour {
    pub(crate) last_four: String,
}

impl KeyObject {
    /// The owner's id, which must be there for the key's type.
    pub(crate) fn owner_id(&self) -> Option<&str> {
        match self.key_type {
            ApiKeyType::User => self.user_id.as_deref(),
            ApiKeyType::Team => self.team_id.as_deref(),
        }
        .filter(|id| !id.is_empty())
    }
}

/// The check of a key of `key_type`, at the endpoint for that type; the body is
/// `{"api_key": "<key>"}` (the request's `Debug` never shows it).
pub(crate) fn request(key_type: ApiKeyType, key: &str) -> ApiRequest {
    let body = serde_json::json!({ "api_key": key })
        .to_string()
        .into_bytes();
    ApiRequest::post_json(format!("/{key_type}-api-keys/check"), body)
}

/// The check endpoint of one key type, asked about the key with id `key_id`.
pub(crate) struct ApiKeyCheck {
    pub(crate) key_type: ApiKeyType,
    pub(crate) key_id: String,
}

impl Endpoint for ApiKeyCheck {
    type Output = KeyObject;

    fn name(&self) -> &'static str {
        match self.key_type {
            ApiKeyType::User => "user-api-keys/check",
            ApiKeyType::Team => "team-api-keys/check",
        }
    }

    fn parse(&self, body: &[u8]) -> Result<KeyObject, RestError> {
        let object: KeyObject = serde_json::from_slice(body)
            .map_err(|e| RestError::InvalidBody(sanitize(&e.to_string())))?;
        // The id is the one the key string carries (PROTOCOL §10.2.4): anything else is not
        // the answer about this key.
        if object.key_type != self.key_type
            || object.owner_id().is_none()
            || !object.id.eq_ignore_ascii_case(&self.key_id)
        {
            return Err(RestError::InvalidBody(format!(
                "the key object is not the {} key {} with its owner",
                self.key_type, self.key_id
            )));
        }
        Ok(object)
    }

    fn known(&self, known: &KnownError) -> Option<Result<KeyObject, VerifyError>> {
        let reason = match known.code.as_str() {
            "API_KEY_NOT_FOUND" => RefusalReason::ApiKeyNotFound,
            "API_KEY_REVOKED" => RefusalReason::ApiKeyRevoked,
            "API_KEY_EXPIRED" => RefusalReason::ApiKeyExpired,
            "WRONG_API_KEY_TYPE" => RefusalReason::WrongApiKeyType,
            _ => return None,
        };
        Some(Err(Refusal::new(reason).with_detail(known.detail()).into()))
    }

    /// The feature gate's plain-text 400 (`User API keys are not enabled for this project.`).
    fn plain_client_error(&self, status: u16, text: &str) -> Option<VerifyError> {
        (status == 400 && text.contains("not enabled")).then(|| {
            let detail = format!(
                "{} api keys are not enabled for this project: turn them on in the dashboard's \
                 API Keys app (stack auth said: {text})",
                self.key_type
            );
            Misconfiguration::new(MisconfigKind::FeatureDisabled)
                .with_detail(detail)
                .into()
        })
    }
}
