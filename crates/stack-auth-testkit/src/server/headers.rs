//! The two names of every Stack Auth request and response header (PROTOCOL §9.2, §9.3): the
//! official clients now send `x-hexclave-<name>`, older ones `x-stack-<name>`; the server reads
//! both and answers errors under both.

use http::HeaderMap;

/// The `x-hexclave-` name of the `x-stack-` header `stack_name` (`None` for other names).
pub(crate) fn hexclave_name(stack_name: &str) -> Option<String> {
    stack_name
        .strip_prefix("x-stack-")
        .map(|rest| format!("x-hexclave-{rest}"))
}

/// The value of the request header `stack_name` (an `x-stack-` name), read under its
/// `x-hexclave-` name first, then under the legacy name; `None` when absent or not visible
/// ASCII.
pub(crate) fn request_header<'a>(headers: &'a HeaderMap, stack_name: &str) -> Option<&'a str> {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    hexclave_name(stack_name)
        .and_then(|name| value(&name))
        .or_else(|| value(stack_name))
}

/// Whether the request carries the header `stack_name` under either name.
pub(crate) fn has_request_header(headers: &HeaderMap, stack_name: &str) -> bool {
    headers.contains_key(stack_name)
        || hexclave_name(stack_name).is_some_and(|name| headers.contains_key(name.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hexclave_name_wins_and_the_legacy_one_still_works() {
        let mut h = HeaderMap::new();
        h.insert("x-stack-project-id", "legacy".parse().unwrap());
        assert_eq!(request_header(&h, "x-stack-project-id"), Some("legacy"));
        h.insert("x-hexclave-project-id", "new".parse().unwrap());
        assert_eq!(request_header(&h, "x-stack-project-id"), Some("new"));
        assert_eq!(request_header(&h, "x-stack-access-type"), None);
        assert!(has_request_header(&h, "x-stack-project-id"));
        let mut only_new = HeaderMap::new();
        only_new.insert("x-hexclave-override-error-status", "true".parse().unwrap());
        assert!(has_request_header(
            &only_new,
            "x-stack-override-error-status"
        ));
        assert!(!has_request_header(&only_new, "x-stack-access-token"));
        assert_eq!(hexclave_name("authorization"), None);
    }
}
