//! [`HttpSetup`]: what the HTTP benchmark's stand-in tells its servers (where it is, its
//! keys, the tokens the load generator sends), as a JSON file they all read.

use std::path::Path;

use serde::{Deserialize, Serialize};
use stack_auth_core::{SecretServerKey, StackAuthConfig};

use crate::BenchError;

/// The stand-in of one `cargo xtask bench --http` run, written by `http_stand_in` and read by
/// `http_server` and `http_check_time`.
///
/// The file holds the stand-in's secret server key and valid tokens: both are of a throwaway
/// local stand-in that lives as long as the run, and neither is ever printed.
#[derive(Clone, Serialize, Deserialize)]
pub struct HttpSetup {
    /// The stand-in's base URL (`http://127.0.0.1:<port>`).
    pub base_url: String,
    /// The project the tokens are for.
    pub project_id: String,
    /// The project's JWKS URL, as Stack Auth's docs give it (no query).
    pub jwks_url: String,
    /// The project's key set (`include_anonymous=true`), for the ECDSA-only check.
    pub jwks_json: String,
    /// A secret server key of the project (for the composite's users/me calls).
    pub secret_server_key: String,
    /// Valid tokens of distinct users the stand-in stores, one per line of the load
    /// generator's token file.
    pub tokens: Vec<String>,
}

impl std::fmt::Debug for HttpSetup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpSetup")
            .field("base_url", &self.base_url)
            .field("project_id", &self.project_id)
            .field("tokens", &self.tokens.len())
            .finish_non_exhaustive()
    }
}

impl HttpSetup {
    /// Reads the file `http_stand_in` wrote.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not a setup.
    pub fn read(path: &Path) -> Result<HttpSetup, BenchError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("reading {}: {e}", path.display()))?;
        let setup: HttpSetup = serde_json::from_str(&text)?;
        if setup.tokens.is_empty() {
            return Err(format!("{}: no tokens", path.display()).into());
        }
        Ok(setup)
    }

    /// Writes the setup to `path`.
    ///
    /// # Errors
    ///
    /// When the file cannot be written.
    pub fn write(&self, path: &Path) -> Result<(), BenchError> {
        std::fs::write(path, serde_json::to_string_pretty(self)?)
            .map_err(|e| format!("writing {}: {e}", path.display()).into())
    }

    /// The verifier configuration for the stand-in's project (normal users).
    ///
    /// # Errors
    ///
    /// When the project id or base URL is refused.
    pub fn config(&self) -> Result<StackAuthConfig, BenchError> {
        Ok(StackAuthConfig::builder(self.project_id.as_str())
            .base_url(self.base_url.as_str())
            .build()?)
    }

    /// The secret server key.
    pub fn secret_server_key(&self) -> SecretServerKey {
        SecretServerKey::new(self.secret_server_key.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> HttpSetup {
        HttpSetup {
            base_url: "http://127.0.0.1:4000".into(),
            project_id: "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e".into(),
            jwks_url: "http://127.0.0.1:4000/x".into(),
            jwks_json: "{\"keys\":[]}".into(),
            secret_server_key: "ssk_secret_value".into(),
            tokens: vec!["eyJ.token.value".into()],
        }
    }

    #[test]
    fn round_trips_through_a_file_and_hides_secrets_from_debug() {
        let dir = std::env::temp_dir().join(format!("http-setup-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("setup.json");
        setup().write(&path).unwrap();
        let read = HttpSetup::read(&path).unwrap();
        assert_eq!(read.tokens, setup().tokens);
        assert_eq!(read.config().unwrap().base_url(), "http://127.0.0.1:4000");
        let shown = format!("{read:?}");
        assert!(!shown.contains("ssk_secret_value") && !shown.contains("eyJ.token"));
        std::fs::write(&path, "{\"tokens\":[]}").unwrap();
        assert!(HttpSetup::read(&path).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
