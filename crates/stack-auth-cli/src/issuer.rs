//! Which host issued a token: the origin its `iss` is built on (PROTOCOL §1.4, §9.1).

use stack_auth_core::CLOUD_HOST_PAIRS;

/// The origin (`scheme://host[:port]`) of the issuer URL `iss`; `None` when it has no scheme.
pub(crate) fn origin(iss: &str) -> Option<&str> {
    let after_scheme = iss.find("://")? + 3;
    let end = iss[after_scheme..]
        .find('/')
        .map_or(iss.len(), |i| after_scheme + i);
    Some(&iss[..end])
}

/// The brand of the hosted service's host `origin` (`https://<cloud host>`), if it is one.
pub(crate) fn cloud_brand(origin: &str) -> Option<&'static str> {
    let host = origin.strip_prefix("https://")?;
    CLOUD_HOST_PAIRS.iter().find_map(|(stack, hexclave)| {
        if host == *stack {
            Some("Stack Auth")
        } else if host == *hexclave {
            Some("Hexclave")
        } else {
            None
        }
    })
}

/// `https://api.hexclave.com (hosted service, Hexclave host)`, for a person; the issuer
/// itself when it has no origin.
pub(crate) fn describe(iss: &str) -> String {
    let Some(origin) = origin(iss) else {
        return format!("{iss:?} (not a URL)");
    };
    match cloud_brand(origin) {
        Some(brand) => format!("{origin} (hosted service, {brand} host)"),
        None => origin.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_brands() {
        let iss = "https://api.hexclave.com/api/v1/projects/p";
        assert_eq!(origin(iss), Some("https://api.hexclave.com"));
        assert_eq!(
            describe(iss),
            "https://api.hexclave.com (hosted service, Hexclave host)"
        );
        let stack = "https://api.dev.stack-auth.com/api/v1/projects-anonymous-users/p";
        assert_eq!(cloud_brand(origin(stack).unwrap()), Some("Stack Auth"));
        for not_cloud in [
            "http://api.hexclave.com/api/v1/projects/p",
            "https://api.hexclave.com.evil.example/api/v1/projects/p",
            "https://api1.stack-auth.com/api/v1/projects/p",
            "http://127.0.0.1:8102/api/v1/projects/p",
        ] {
            assert_eq!(cloud_brand(origin(not_cloud).unwrap()), None, "{not_cloud}");
        }
        assert_eq!(
            origin("http://127.0.0.1:8102"),
            Some("http://127.0.0.1:8102")
        );
        assert_eq!(origin("i"), None);
        assert_eq!(describe("i"), "\"i\" (not a URL)");
    }
}
