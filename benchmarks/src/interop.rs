//! The interop fixture's `normal-user` token and the key set it verifies against: the token
//! and key the peers (Node `jose`, PyJWT) verify too.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::BenchError;

/// `../shared/interop` beside the repository root.
pub fn interop_dir() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/interop"))
}

/// The `normal-user` case of `cases.json` and the project's full key set.
#[derive(Debug, Clone)]
pub struct InteropToken {
    /// The token, exactly as a client sends it.
    pub token: String,
    /// The project it was minted for (its audience).
    pub project_id: String,
    /// The deployment that minted it (its issuer's base).
    pub base_url: String,
    /// The user the token names.
    pub user_id: String,
    /// The body of `jwks.json?include_anonymous=true` for the project.
    pub jwks_json: String,
}

impl InteropToken {
    /// Reads the fixture from `dir` (see [`interop_dir`]).
    ///
    /// # Errors
    ///
    /// When a file is missing or not what the fixture README describes.
    pub fn load(dir: &Path) -> Result<InteropToken, BenchError> {
        let cases: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("cases.json"))?)?;
        let text = |v: &Value| {
            v.as_str()
                .map(str::to_owned)
                .ok_or("cases.json: not a string")
        };
        let project_id = text(&cases["project_id"])?;
        let case = cases["cases"]
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["name"] == "normal-user"))
            .ok_or("cases.json: no normal-user case")?;
        let jwks = dir
            .join("jwks")
            .join(&project_id)
            .join("jwks.json@include_anonymous=true");
        Ok(InteropToken {
            token: text(&case["token"])?,
            base_url: text(&cases["base_url"])?,
            user_id: text(&case["expect"]["user_id"])?,
            jwks_json: std::fs::read_to_string(jwks)?,
            project_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_the_normal_user_case() {
        let fixture = InteropToken::load(&interop_dir()).unwrap();
        assert_eq!(fixture.token.split('.').count(), 3);
        assert!(fixture.jwks_json.contains("\"keys\""));
        assert!(fixture.base_url.starts_with("https://"));
        assert!(!fixture.user_id.is_empty());
        assert!(InteropToken::load(Path::new("/nonexistent")).is_err());
    }
}
