//! [`InteropFixture`]: reads a directory of the interop fixture format, so every verifier's
//! tests run the same cases the same way.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::TestkitError;

/// One directory of interop fixtures: `cases.json` (a `cases` array of `{name, token, allow,
/// expect, project_id?, base_url?}` with file-wide `project_id` and `base_url` defaults) and the
/// key sets at `jwks/<project_id>/jwks.json` (`jwks.json@<query>` for the
/// `include_restricted` / `include_anonymous` variants). The repository's `fixtures/interop`
/// and `fixtures/interop-brand` have this layout.
///
/// ```no_run
/// use stack_auth_testkit::InteropFixture;
///
/// let fixture = InteropFixture::load("fixtures/interop-brand")?;
/// for case in fixture.cases() {
///     // every case names the deployment its verifier is configured for
///     let (base_url, project_id) = (&case["base_url"], &case["project_id"]);
///     # let _ = (base_url, project_id);
/// }
/// let keys = fixture.jwks_path("7c1e9a40-5b2d-4f83-a6e1-3d9c0b7f2e15", Some("include_anonymous=true"));
/// # let _ = keys;
/// # Ok::<(), stack_auth_testkit::TestkitError>(())
/// ```
#[derive(Debug, Clone)]
pub struct InteropFixture {
    dir: PathBuf,
    document: Value,
}

impl InteropFixture {
    /// Reads `dir/cases.json`.
    ///
    /// # Errors
    ///
    /// [`TestkitError::Fixture`] when it cannot be read or is not a JSON object with a `cases`
    /// array.
    pub fn load(dir: impl Into<PathBuf>) -> Result<Self, TestkitError> {
        let dir = dir.into();
        let path = dir.join("cases.json");
        let fail = |reason: String| TestkitError::Fixture {
            path: path.clone(),
            reason,
        };
        let text = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
        let document: Value = serde_json::from_str(&text).map_err(|e| fail(e.to_string()))?;
        if !document["cases"].is_array() {
            return Err(fail("no `cases` array".into()));
        }
        Ok(InteropFixture { dir, document })
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The whole `cases.json` document (`label`, `base_url`, `project_id`, ...).
    pub fn document(&self) -> &Value {
        &self.document
    }

    /// Every case, each with `base_url` and `project_id`: its own, else the file's.
    pub fn cases(&self) -> Vec<Value> {
        let defaults = ["base_url", "project_id"];
        let mut cases = self.document["cases"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for case in &mut cases {
            for field in defaults {
                if case.get(field).is_none() {
                    case[field] = self.document[field].clone();
                }
            }
        }
        cases
    }

    /// The whole document with [`cases`](Self::cases) in place of its own.
    pub fn resolved_document(&self) -> Value {
        let mut document = self.document.clone();
        document["cases"] = Value::Array(self.cases());
        document
    }

    /// The case named `name`, as [`cases`](Self::cases) gives it.
    pub fn case(&self, name: &str) -> Option<Value> {
        self.cases().into_iter().find(|c| c["name"] == name)
    }

    /// The key set of `project_id` answered for `query` (`None`, `include_restricted=true`,
    /// `include_anonymous=true`).
    pub fn jwks_path(&self, project_id: &str, query: Option<&str>) -> PathBuf {
        let file = match query {
            None => "jwks.json".to_owned(),
            Some(q) => format!("jwks.json@{q}"),
        };
        self.dir.join("jwks").join(project_id).join(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cases_inherit_the_file_defaults() {
        let dir = std::env::temp_dir().join(format!("interop-{}", crate::random_uuid()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(
            dir.join("cases.json"),
            r#"{"base_url":"https://a","project_id":"p","cases":[{"name":"x"},{"name":"y","base_url":"https://b","project_id":"q"}]}"#,
        )
        .unwrap();
        let f = InteropFixture::load(&dir).unwrap();
        let cases = f.cases();
        assert_eq!(
            (&cases[0]["base_url"], &cases[0]["project_id"]),
            (&"https://a".into(), &"p".into())
        );
        assert_eq!(
            (&cases[1]["base_url"], &cases[1]["project_id"]),
            (&"https://b".into(), &"q".into())
        );
        assert_eq!(f.case("y").unwrap()["project_id"], "q");
        assert_eq!(f.resolved_document()["cases"][0]["base_url"], "https://a");
        assert_eq!(f.resolved_document()["base_url"], "https://a");
        assert!(f
            .jwks_path("p", Some("include_anonymous=true"))
            .ends_with("jwks/p/jwks.json@include_anonymous=true"));
        std::fs::write(dir.join("cases.json"), "[]").unwrap();
        assert!(matches!(
            InteropFixture::load(&dir),
            Err(TestkitError::Fixture { .. })
        ));
        assert!(InteropFixture::load(dir.join("missing")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
