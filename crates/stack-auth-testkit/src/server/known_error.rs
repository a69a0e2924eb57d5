//! Stack Auth's KnownErrors (PROTOCOL §4): status, code, message and details, as the server
//! sends them.

use serde::Serialize;
use serde_json::{json, Value};

const AUTH_DOCS: &str = "For more information, see the docs on REST API authentication: https://docs.stack-auth.com/rest-api/overview#authentication";

/// One KnownError response: `{code, details?, error}` with the `x-stack-known-error` header.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct KnownError {
    #[serde(skip)]
    pub(crate) status: u16,
    pub(crate) code: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) details: Option<Value>,
    pub(crate) error: String,
}

impl KnownError {
    pub(crate) fn new(
        status: u16,
        code: &str,
        error: impl Into<String>,
        details: Option<Value>,
    ) -> Self {
        KnownError {
            status,
            code: code.to_owned(),
            details,
            error: error.into(),
        }
    }

    /// The body exactly as `JSON.stringify(json, null, 2)` writes it.
    pub(crate) fn body(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub(crate) fn access_type_required() -> Self {
        Self::new(400, "ACCESS_TYPE_REQUIRED", format!("You must specify an access level for this Stack project. Make sure project API keys are provided (eg. x-stack-publishable-client-key) and you set the x-stack-access-type header to 'client', 'server', or 'admin'.\n\n{AUTH_DOCS}"), None)
    }

    pub(crate) fn project_key_without_access_type() -> Self {
        Self::new(400, "PROJECT_KEY_WITHOUT_ACCESS_TYPE", "Either an API key or an admin access token was provided, but the x-stack-access-type header is missing. Set it to 'client', 'server', or 'admin' as appropriate.", None)
    }

    pub(crate) fn invalid_access_type(access_type: &str) -> Self {
        Self::new(400, "INVALID_ACCESS_TYPE", format!("The x-stack-access-type header must be 'client', 'server', or 'admin', but was '{access_type}'.\n\n{AUTH_DOCS}"), None)
    }

    pub(crate) fn access_type_without_project_id(access_type: &str) -> Self {
        Self::new(400, "ACCESS_TYPE_WITHOUT_PROJECT_ID", format!("The x-stack-access-type header was '{access_type}', but the x-stack-project-id header was not provided.\n\n{AUTH_DOCS}"), Some(json!({ "request_type": access_type })))
    }

    pub(crate) fn unparsable_access_token() -> Self {
        Self::new(
            401,
            "UNPARSABLE_ACCESS_TOKEN",
            "Access token is not parsable.",
            None,
        )
    }

    pub(crate) fn access_token_expired(details: Value, expired_at: Option<i64>) -> Self {
        let when = expired_at
            .map(|ms| format!(" (The access token expired at Unix time {} ms.)", ms))
            .unwrap_or_default();
        Self::new(
            401,
            "ACCESS_TOKEN_EXPIRED",
            format!("Access token has expired. Please refresh it and try again.{when}"),
            Some(details),
        )
    }

    pub(crate) fn invalid_project_for_access_token(expected: &str, actual: &str) -> Self {
        Self::new(401, "INVALID_PROJECT_FOR_ACCESS_TOKEN", format!("The access token is not valid for this project. Expected project ID {expected:?}, but the token is for project ID {actual:?}."), Some(json!({ "expected_project_id": expected, "actual_project_id": actual })))
    }

    pub(crate) fn anonymous_not_allowed() -> Self {
        Self::new(401, "ANONYMOUS_AUTHENTICATION_NOT_ALLOWED", "X-Stack-Access-Token is for an anonymous user, but anonymous users are not enabled. Set the X-Stack-Allow-Anonymous-User header of this request to 'true' to allow anonymous users.", None)
    }

    pub(crate) fn restricted_user_not_allowed(reason: &str) -> Self {
        Self::new(403, "RESTRICTED_USER_NOT_ALLOWED", format!("The user is restricted (reason: {reason}) and restricted users are not allowed for this request. Set the X-Stack-Allow-Restricted-User header of this request to 'true' to allow restricted users."), Some(json!({ "restricted_reason": { "type": reason } })))
    }

    pub(crate) fn current_project_not_found(project_id: &str) -> Self {
        Self::new(400, "CURRENT_PROJECT_NOT_FOUND", format!("The current project with ID {project_id} was not found. Please check the value of the x-stack-project-id header."), Some(json!({ "project_id": project_id })))
    }

    pub(crate) fn server_authentication_required() -> Self {
        Self::new(
            401,
            "SERVER_AUTHENTICATION_REQUIRED",
            "The secret server key must be provided.",
            None,
        )
    }

    pub(crate) fn invalid_secret_server_key(project_id: &str) -> Self {
        Self::new(401, "INVALID_SECRET_SERVER_KEY", format!("The secret server key is not valid for the project {project_id:?}. Does the project and/or the key exist?"), Some(json!({ "project_id": project_id })))
    }

    pub(crate) fn invalid_publishable_client_key(project_id: &str) -> Self {
        Self::new(401, "INVALID_PUBLISHABLE_CLIENT_KEY", format!("The publishable key is not valid for the project {project_id:?}. Does the project and/or the key exist?"), Some(json!({ "project_id": project_id })))
    }

    pub(crate) fn admin_authentication_required() -> Self {
        Self::new(
            401,
            "ADMIN_AUTHENTICATION_REQUIRED",
            "The super secret admin key or admin access token must be provided.",
            None,
        )
    }

    pub(crate) fn invalid_super_secret_admin_key(project_id: &str) -> Self {
        Self::new(401, "INVALID_SUPER_SECRET_ADMIN_KEY", format!("The super secret admin key is not valid for the project {project_id:?}. Does the project and/or the key exist?"), Some(json!({ "project_id": project_id })))
    }

    pub(crate) fn branch_does_not_exist(branch_id: &str) -> Self {
        Self::new(
            400,
            "BRANCH_DOES_NOT_EXIST",
            format!("The branch with ID {branch_id} does not exist."),
            Some(json!({ "branch_id": branch_id })),
        )
    }

    pub(crate) fn cannot_get_own_user_without_user() -> Self {
        Self::new(
            400,
            "CANNOT_GET_OWN_USER_WITHOUT_USER",
            "You have specified 'me' as a userId, but did not provide authentication for a user.",
            None,
        )
    }

    pub(crate) fn insufficient_access_type(actual: &str, allowed: &[&str]) -> Self {
        let list: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
        Self::new(
            401,
            "INSUFFICIENT_ACCESS_TYPE",
            format!(
                "The x-stack-access-type header must be {}, but was '{actual}'.",
                list.join(" or ")
            ),
            Some(json!({ "actual_access_type": actual, "allowed_access_types": allowed })),
        )
    }

    pub(crate) fn user_not_found() -> Self {
        Self::new(404, "USER_NOT_FOUND", "User not found.", None)
    }

    pub(crate) fn schema_error(message: String) -> Self {
        Self::new(
            400,
            "SCHEMA_ERROR",
            message.clone(),
            Some(json!({ "message": message })),
        )
    }
}
