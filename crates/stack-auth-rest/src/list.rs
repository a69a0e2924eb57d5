//! The CRUD list envelope every list endpoint answers with (PROTOCOL §10.0):
//! `{"items": [...], "is_paginated": false}`.

use serde::{de::DeserializeOwned, Deserialize};

use crate::error::{sanitize, RestError};

#[derive(Deserialize)]
struct Envelope<T> {
    items: Vec<T>,
}

/// The items of a list answer.
///
/// # Errors
///
/// [`RestError::InvalidBody`] when the body is not the envelope or an item is not a `T`.
pub(crate) fn items<T: DeserializeOwned>(body: &[u8]) -> Result<Vec<T>, RestError> {
    serde_json::from_slice::<Envelope<T>>(body)
        .map(|e| e.items)
        .map_err(|e| RestError::InvalidBody(sanitize(&e.to_string())))
}

/// `value` as a query-string value: the ids this crate sends are UUIDs and permission ids
/// (`[a-z0-9_:$]`, checked before), so only `$` and `:` need escaping, as `URLSearchParams`
/// does it.
pub(crate) fn query_value(value: &str) -> String {
    value.replace('$', "%24").replace(':', "%3A")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_items_and_refuses_anything_else() {
        let ids: Vec<serde_json::Value> =
            items(br#"{"items":[{"id":"a"},{"id":"b"}],"is_paginated":false}"#).unwrap();
        assert_eq!(ids.len(), 2);
        assert!(items::<serde_json::Value>(br#"[{"id":"a"}]"#).is_err());
        assert!(items::<u8>(br#"{"items":["x"]}"#).is_err());
        assert_eq!(query_value("$read_members"), "%24read_members");
        assert_eq!(query_value("billing:read"), "billing%3Aread");
    }
}
