//! [`RawJson`]: a JSON value kept as the text it arrived as, for profile fields whose content
//! users write themselves (metadata) or this SDK does not know.

use std::fmt;

use serde::{de::DeserializeOwned, Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{value::RawValue, Value};

/// How deeply [`RawJson::to_value`] (serde_json) can nest arrays and objects: a value that nests
/// this deep or deeper is [`RawJsonError::TooDeep`].
pub const MAX_JSON_DEPTH: usize = 128;

/// A JSON value kept verbatim, parsed only when asked.
///
/// Stack Auth lets users write their own `client_metadata` without a depth or size limit, so the
/// profile fields that can hold arbitrary JSON ([`ServerUser`](crate::ServerUser)'s metadata
/// and unknown fields) are not parsed while a profile is read: a profile nested deeper than
/// serde_json's recursion limit still verifies, and only the code that asks for the content
/// meets the limit, as a typed error. Reading the raw text skips nesting without recursion.
///
/// `Debug` shows the size only (metadata may hold secrets); the text is [`as_str`](Self::as_str).
/// Two values are equal when they are the same JSON value (whitespace and key order aside);
/// values too deep to parse are compared by text.
///
/// ```
/// use stack_auth_core::{RawJson, RawJsonError};
///
/// let theme = RawJson::from_json(r#"{ "theme": "dark" }"#)?;
/// assert_eq!(theme.to_value()?["theme"], "dark");
/// #[derive(serde::Deserialize)]
/// struct Prefs { theme: String }
/// assert_eq!(theme.parse::<Prefs>()?.theme, "dark");
///
/// let deep = RawJson::from_json(format!("{}{}", "[".repeat(5000), "]".repeat(5000)))?;
/// assert_eq!(deep.to_value(), Err(RawJsonError::TooDeep { limit: 128 }));
/// assert_eq!(format!("{theme:?}"), "RawJson { bytes: 19 }");
/// # Ok::<(), RawJsonError>(())
/// ```
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

/// Why a [`RawJson`] could not be made or read. Never quotes the JSON (it may hold secrets).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RawJsonError {
    /// Arrays and objects nest `limit` levels or deeper: parsing every level would exceed
    /// serde_json's recursion limit. [`RawJson::as_str`] still has the text.
    #[error("json nests {limit} levels or deeper")]
    TooDeep {
        /// The limit, [`MAX_JSON_DEPTH`].
        limit: usize,
    },
    /// The text is not JSON.
    #[error("not valid json (line {line}, column {column})")]
    Syntax {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
    },
    /// The JSON does not have the shape of the requested type.
    #[error("json does not match the requested type (line {line}, column {column})")]
    Mismatch {
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
    },
}

impl RawJson {
    /// Keeps `json`, after checking that it is one JSON value (at any depth).
    ///
    /// # Errors
    ///
    /// [`RawJsonError::Syntax`] when it is not.
    pub fn from_json(json: impl Into<String>) -> Result<RawJson, RawJsonError> {
        RawValue::from_string(json.into())
            .map(RawJson)
            .map_err(|e| RawJsonError::Syntax {
                line: e.line(),
                column: e.column(),
            })
    }

    /// The text of `value`.
    pub fn from_value(value: &Value) -> RawJson {
        // Serializing a `Value` cannot fail (its keys are strings); `null` is never reached.
        serde_json::value::to_raw_value(value)
            .map_or_else(|_| RawJson(RawValue::NULL.to_owned()), RawJson)
    }

    /// The JSON text, exactly as received.
    pub fn as_str(&self) -> &str {
        self.0.get()
    }

    /// Whether the value is JSON `null`.
    pub fn is_null(&self) -> bool {
        self.as_str() == "null"
    }

    /// Parses the value as `T`. Levels that `T` ignores are skipped without recursion.
    ///
    /// # Errors
    ///
    /// [`RawJsonError::TooDeep`] when the levels `T` reads nest [`MAX_JSON_DEPTH`] deep (for a
    /// text that deep, a failure is reported as this), [`RawJsonError::Mismatch`] when the JSON
    /// does not have `T`'s shape.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, RawJsonError> {
        serde_json::from_str(self.as_str()).map_err(|e| self.error(&e))
    }

    /// The value as a [`serde_json::Value`].
    ///
    /// # Errors
    ///
    /// [`RawJsonError::TooDeep`] when it nests [`MAX_JSON_DEPTH`] levels or deeper.
    pub fn to_value(&self) -> Result<Value, RawJsonError> {
        self.parse()
    }

    fn error(&self, e: &serde_json::Error) -> RawJsonError {
        if max_depth(self.as_str()) >= MAX_JSON_DEPTH {
            return RawJsonError::TooDeep {
                limit: MAX_JSON_DEPTH,
            };
        }
        let (line, column) = (e.line(), e.column());
        if e.is_syntax() || e.is_eof() {
            RawJsonError::Syntax { line, column }
        } else {
            RawJsonError::Mismatch { line, column }
        }
    }
}

/// How deeply arrays and objects nest in `json` (valid JSON: brackets inside strings do not
/// count), without recursion.
fn max_depth(json: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in json.bytes() {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        if self.as_str() == other.as_str() {
            return true;
        }
        match (self.to_value(), other.to_value()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        }
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawJson")
            .field("bytes", &self.as_str().len())
            .finish()
    }
}

impl From<Value> for RawJson {
    fn from(value: Value) -> Self {
        RawJson::from_value(&value)
    }
}

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    /// From serde_json (or a [`serde_json::Value`]) only: it keeps the text of the value.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Box::<RawValue>::deserialize(deserializer).map(RawJson)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn depth_ignores_brackets_in_strings() {
        assert_eq!(max_depth(r#"{"a":"[[[[","b":[{"c":"\"]]"}]}"#), 3);
        assert_eq!(max_depth("1"), 0);
        assert_eq!(max_depth(r#""\\""#), 0);
    }

    #[test]
    fn the_limit_is_where_serde_json_stops() {
        let nested = |n: usize| RawJson::from_json(format!("{}{}", "[".repeat(n), "]".repeat(n)));
        assert!(nested(MAX_JSON_DEPTH - 1).unwrap().to_value().is_ok());
        assert_eq!(
            nested(MAX_JSON_DEPTH).unwrap().to_value(),
            Err(RawJsonError::TooDeep {
                limit: MAX_JSON_DEPTH
            })
        );
        let deep = nested(100_000).unwrap();
        assert_eq!(deep.as_str().len(), 200_000);
        assert!(matches!(deep.to_value(), Err(RawJsonError::TooDeep { .. })));
    }

    #[test]
    fn errors_never_quote_the_json() {
        let secret = RawJson::from_json(r#"{"api_key":"sk_live_secret"}"#).unwrap();
        let e = secret.parse::<Vec<u8>>().unwrap_err();
        assert!(matches!(e, RawJsonError::Mismatch { .. }), "{e:?}");
        let e = RawJson::from_json("{\"sk_live_secret\"").unwrap_err();
        assert!(matches!(e, RawJsonError::Syntax { .. }), "{e:?}");
        for shown in [format!("{e} {e:?}"), format!("{secret:?}")] {
            assert!(!shown.contains("sk_live"), "{shown}");
        }
    }

    #[test]
    fn equality_is_by_value() {
        let a = RawJson::from_json(r#"{ "b": 1, "a": [true] }"#).unwrap();
        let b = RawJson::from_json(r#"{"a":[true],"b":1}"#).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, RawJson::from_json("null").unwrap());
        assert!(RawJson::from_value(&Value::Null).is_null());
    }
}
