//! Small JOSE helpers: unpadded base64url and compact JSON objects with a fixed key order.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine as _};
use serde_json::Value;

/// Unpadded base64url, as JOSE and Stack Auth use it.
pub(crate) fn b64(bytes: impl AsRef<[u8]>) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Decodes unpadded base64url; `None` when it is not.
pub(crate) fn b64_decode(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text).ok()
}

/// A JSON object whose members keep the order they were set in, serialized compactly exactly
/// like `JSON.stringify` (which is what Stack Auth's `jose` does for JWT headers and payloads).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct OrderedJson(Vec<(String, Value)>);

impl OrderedJson {
    /// Sets `key`: replaced in place when present, appended otherwise.
    pub(crate) fn set(&mut self, key: &str, value: Value) {
        match self.0.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key.to_owned(), value)),
        }
    }

    /// Removes `key`, returning its value.
    pub(crate) fn remove(&mut self, key: &str) -> Option<Value> {
        let at = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(at).1)
    }

    /// Renames `from` to `to` in place (keeps the position).
    pub(crate) fn rename(&mut self, from: &str, to: &str) {
        if let Some(slot) = self.0.iter_mut().find(|(k, _)| k == from) {
            to.clone_into(&mut slot.0);
        }
    }

    /// The value of `key`.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Compact JSON text.
    pub(crate) fn to_json(&self) -> String {
        let mut out = String::from("{");
        for (i, (k, v)) in self.0.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str(&Value::String(k.clone()).to_string());
            out.push(':');
            out.push_str(&v.to_string());
        }
        out.push('}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_order_and_replaces_in_place() {
        let mut o = OrderedJson::default();
        o.set("b", json!(1));
        o.set("a", json!("x"));
        o.set("b", json!(null));
        o.rename("a", "c");
        assert_eq!(o.to_json(), r#"{"b":null,"c":"x"}"#);
        assert_eq!(o.remove("b"), Some(json!(null)));
        assert_eq!(o.to_json(), r#"{"c":"x"}"#);
    }

    #[test]
    fn base64url_round_trip() {
        assert_eq!(b64([0xfb, 0xff]), "-_8");
        assert_eq!(b64_decode("-_8"), Some(vec![0xfb, 0xff]));
        assert_eq!(b64_decode("a=b"), None);
    }
}
