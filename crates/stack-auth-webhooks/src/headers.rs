//! Which signature headers a delivery is verified with: the `svix-*` set, else the Standard
//! Webhooks `webhook-*` set (PROTOCOL §10.5.1).

use crate::WebhookError;

/// The names of one header set: id, timestamp, signature.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HeaderSet {
    pub(crate) id: &'static str,
    pub(crate) timestamp: &'static str,
    pub(crate) signature: &'static str,
}

/// What Stack Auth's Svix account sends, preferred.
pub(crate) const SVIX: HeaderSet = HeaderSet {
    id: "svix-id",
    timestamp: "svix-timestamp",
    signature: "svix-signature",
};

/// The Standard Webhooks names (Svix's white-label option).
pub(crate) const STANDARD: HeaderSet = HeaderSet {
    id: "webhook-id",
    timestamp: "webhook-timestamp",
    signature: "webhook-signature",
};

/// A header's value: absent, one value, or sent more than once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Lookup<'a> {
    Absent,
    One(&'a [u8]),
    Repeated,
}

/// The three signature headers of a delivery, read as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SignatureHeaders<'a> {
    /// The message id (`msg_…`), the same on every attempt.
    pub(crate) id: &'a str,
    /// The attempt's timestamp, Unix seconds.
    pub(crate) timestamp: i64,
    /// The space-separated signatures.
    pub(crate) signature: &'a str,
}

/// Picks the header set: the `svix-*` set when any of its names is present (so a partial set
/// is reported as such, never patched with the other set's values), else the `webhook-*` set.
///
/// # Errors
///
/// [`WebhookError::MissingHeader`] naming the first header of the chosen set that is absent;
/// [`WebhookError::InvalidHeader`] for one repeated, not visible ASCII, or (the timestamp) not
/// an integer.
pub(crate) fn read<'a>(
    header: impl Fn(&'static str) -> Lookup<'a>,
) -> Result<SignatureHeaders<'a>, WebhookError> {
    let any_svix = [SVIX.id, SVIX.timestamp, SVIX.signature]
        .into_iter()
        .any(|name| header(name) != Lookup::Absent);
    let set = if any_svix { SVIX } else { STANDARD };
    let text = |name: &'static str| match header(name) {
        Lookup::Absent => Err(WebhookError::MissingHeader(name)),
        Lookup::Repeated => Err(WebhookError::InvalidHeader(name)),
        Lookup::One(bytes) => std::str::from_utf8(bytes)
            .ok()
            .filter(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_graphic() || b == b' '))
            .ok_or(WebhookError::InvalidHeader(name)),
    };
    let (id, timestamp, signature) = (text(set.id)?, text(set.timestamp)?, text(set.signature)?);
    let timestamp = timestamp
        .parse::<i64>()
        .map_err(|_| WebhookError::InvalidHeader(set.timestamp))?;
    Ok(SignatureHeaders {
        id,
        timestamp,
        signature,
    })
}

/// Looks `name` up in an `http` 1 header map.
pub(crate) fn in_map<'a>(headers: &'a http::HeaderMap, name: &'static str) -> Lookup<'a> {
    let mut values = headers.get_all(name).iter();
    match (values.next(), values.next()) {
        (None, _) => Lookup::Absent,
        (Some(one), None) => Lookup::One(one.as_bytes()),
        (Some(_), Some(_)) => Lookup::Repeated,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&'static str, &str)]) -> http::HeaderMap {
        let mut headers = http::HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, value.parse().unwrap());
        }
        headers
    }

    fn read_map(pairs: &[(&'static str, &str)]) -> Result<(String, i64, String), WebhookError> {
        let headers = map(pairs);
        read(|name| in_map(&headers, name))
            .map(|h| (h.id.to_owned(), h.timestamp, h.signature.to_owned()))
    }

    const SVIX_SET: [(&str, &str); 3] = [
        ("svix-id", "msg_a"),
        ("svix-timestamp", "1767225600"),
        ("svix-signature", "v1,x v1,y"),
    ];
    const STANDARD_SET: [(&str, &str); 3] = [
        ("webhook-id", "msg_b"),
        ("webhook-timestamp", "1767225601"),
        ("webhook-signature", "v1,z"),
    ];

    #[test]
    fn svix_is_preferred_and_webhook_is_the_fallback() {
        let svix = ("msg_a".to_owned(), 1_767_225_600, "v1,x v1,y".to_owned());
        let standard = ("msg_b".to_owned(), 1_767_225_601, "v1,z".to_owned());
        assert_eq!(read_map(&SVIX_SET), Ok(svix.clone()));
        assert_eq!(read_map(&STANDARD_SET), Ok(standard));
        let both = [SVIX_SET, STANDARD_SET].concat();
        assert_eq!(read_map(&both), Ok(svix));
    }

    #[test]
    fn a_partial_svix_set_is_missing_a_header_even_beside_a_full_standard_set() {
        let partial = [&SVIX_SET[..2], &STANDARD_SET[..]].concat();
        assert_eq!(
            read_map(&partial),
            Err(WebhookError::MissingHeader("svix-signature"))
        );
        assert_eq!(
            read_map(&[]),
            Err(WebhookError::MissingHeader("webhook-id"))
        );
    }

    #[test]
    fn repeated_empty_or_unreadable_values_and_bad_timestamps_are_invalid() {
        let repeated = [&SVIX_SET[..], &[("svix-id", "msg_c")]].concat();
        assert_eq!(
            read_map(&repeated),
            Err(WebhookError::InvalidHeader("svix-id"))
        );
        for (name, value) in [
            ("svix-timestamp", "soon"),
            ("svix-timestamp", "1767225600.5"),
            ("svix-timestamp", "99999999999999999999"),
            ("svix-id", ""),
            ("svix-signature", "v1,\tx"),
        ] {
            let mut pairs = SVIX_SET.to_vec();
            pairs.retain(|(n, _)| *n != name);
            let mut headers = map(&pairs);
            headers.insert(name, http::HeaderValue::from_str(value).unwrap());
            let got = read(|n| in_map(&headers, n)).map(|h| h.id.to_owned());
            assert_eq!(
                got,
                Err(WebhookError::InvalidHeader(name)),
                "{name}: {value}"
            );
        }
        let mut headers = map(&SVIX_SET[1..]);
        headers.insert(
            "svix-id",
            http::HeaderValue::from_bytes(b"msg_\xff").unwrap(),
        );
        let got = read(|n| in_map(&headers, n)).map(|h| h.id.to_owned());
        assert_eq!(got, Err(WebhookError::InvalidHeader("svix-id")));
    }
}
