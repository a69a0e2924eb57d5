//! How a command ended: the process exit code, and the error a command could not get past.

use std::fmt;
use std::process::ExitCode;

use serde_json::{json, Value};
use stack_auth_core::{ConfigError, VerifyError};

/// The documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: accepted, decoded, served.
    Ok,
    /// 1: the token was refused (or, for `inspect`, some part of it does not decode).
    Refused,
    /// 2: a usage or configuration error (clap uses 2 for usage errors too).
    Config,
    /// 3: an upstream (JWKS endpoint, Stack Auth API) is unavailable.
    Unavailable,
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(match exit {
            Exit::Ok => 0,
            Exit::Refused => 1,
            Exit::Config => 2,
            Exit::Unavailable => 3,
        })
    }
}

/// What kind of failure stopped a command before it had an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FailureKind {
    /// The command line or a file it names is wrong (exit 2).
    Config,
    /// Stack Auth says the configuration is wrong: server key, project (exit 2).
    Misconfigured,
    /// An upstream could not answer (exit 3).
    Unavailable,
}

/// A failure with a message fit for a person (never a token or a secret) and, for JSON output,
/// the machine-readable fields.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    kind: FailureKind,
    message: String,
    fields: Value,
}

impl Failure {
    /// A configuration or usage failure.
    pub(crate) fn config(message: impl Into<String>) -> Self {
        Failure {
            kind: FailureKind::Config,
            message: message.into(),
            fields: json!({}),
        }
    }

    /// An upstream failure with no further detail.
    pub(crate) fn unavailable(message: impl Into<String>) -> Self {
        Failure {
            kind: FailureKind::Unavailable,
            message: message.into(),
            fields: json!({}),
        }
    }

    /// Stack Auth rejected the configuration.
    pub(crate) fn misconfigured(message: impl Into<String>) -> Self {
        Failure {
            kind: FailureKind::Misconfigured,
            message: message.into(),
            fields: json!({}),
        }
    }

    /// The failure of a verification that was neither accepted nor refused. A refusal is not a
    /// failure; callers handle it before.
    pub(crate) fn from_verify_error(error: &VerifyError) -> Self {
        let message = error.to_string();
        match error {
            VerifyError::Unavailable(u) => Failure {
                kind: FailureKind::Unavailable,
                message,
                fields: json!({
                    "upstream": u.upstream(),
                    "kind": u.kind(),
                    "status": u.status(),
                    "retry_after_secs": u.retry_after().map(|d| d.as_secs()),
                }),
            },
            VerifyError::Misconfigured(m) => Failure {
                kind: FailureKind::Misconfigured,
                message,
                fields: json!({ "kind": m.kind() }),
            },
            _ => Failure::config(message),
        }
    }

    /// The exit code for this failure.
    pub(crate) fn exit(&self) -> Exit {
        match self.kind {
            FailureKind::Config | FailureKind::Misconfigured => Exit::Config,
            FailureKind::Unavailable => Exit::Unavailable,
        }
    }

    /// `{"ok":false,"error":"config"|"misconfigured"|"unavailable","message":..,..}`.
    pub(crate) fn to_json(&self) -> Value {
        let label = match self.kind {
            FailureKind::Config => "config",
            FailureKind::Misconfigured => "misconfigured",
            FailureKind::Unavailable => "unavailable",
        };
        let mut out = json!({ "ok": false, "error": label, "message": self.message });
        if let (Some(out), Some(fields)) = (out.as_object_mut(), self.fields.as_object()) {
            out.extend(fields.clone());
        }
        out
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<ConfigError> for Failure {
    fn from(e: ConfigError) -> Self {
        Failure::config(format!("invalid configuration: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stack_auth_core::{
        MisconfigKind, Misconfiguration, Unavailable, UnavailableKind, Upstream,
    };
    use std::time::Duration;

    #[test]
    fn verify_errors_map_to_exit_codes_and_json() {
        let down = VerifyError::from(
            Unavailable::new(Upstream::Api, UnavailableKind::RateLimited)
                .with_status(429)
                .with_retry_after(Duration::from_secs(7)),
        );
        let f = Failure::from_verify_error(&down);
        assert_eq!(f.exit(), Exit::Unavailable);
        let j = f.to_json();
        assert_eq!(j["error"], "unavailable");
        assert_eq!(j["kind"], "rate_limited");
        assert_eq!(j["upstream"], "api");
        assert_eq!(j["status"], 429);
        assert_eq!(j["retry_after_secs"], 7);

        let bad_key =
            VerifyError::from(Misconfiguration::new(MisconfigKind::InvalidSecretServerKey));
        let f = Failure::from_verify_error(&bad_key);
        assert_eq!(f.exit(), Exit::Config);
        assert_eq!(f.to_json()["kind"], "invalid_secret_server_key");
        assert_eq!(f.to_json()["ok"], false);
    }
}
