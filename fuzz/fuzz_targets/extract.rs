//! Arbitrary header maps through `extract_token`.
//!
//! Input: one header per line, `name:value`; a line starting with `0`..`5` stands for
//! `x-stack-access-token`, `authorization`, `x-stack-auth`, `cookie`, `x-hexclave-access-token`
//! and `authorization: Bearer stackauth_` (the rest of the line is the value, or the base64
//! after the prefix), so mutations keep hitting the token sources. Names or values `http`
//! refuses are skipped.
//!
//! Checks: no panic; a token found is non-empty, at most `MAX_TOKEN_LEN` bytes of visible ASCII;
//! a token from an access-token header or a bare `Authorization` bearer occurs in that header's
//! value; when a valid access-token header is present it wins; the token's `Debug` never shows
//! it; an error names a source whose header is present.
#![no_main]

use http::{header, HeaderMap, HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use stack_auth_core::{extract_token, TokenSource, MAX_TOKEN_LEN};

const SHORTHANDS: [&str; 6] = [
    "x-stack-access-token",
    "authorization",
    "x-stack-auth",
    "cookie",
    "x-hexclave-access-token",
    "authorization",
];

fn headers(data: &[u8]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for line in data.split(|&b| b == b'\n') {
        let prefixed;
        let (name, value): (&[u8], &[u8]) = match line.first() {
            Some(b'5') => {
                prefixed = [b"Bearer stackauth_".as_slice(), &line[1..]].concat();
                (SHORTHANDS[5].as_bytes(), &prefixed)
            }
            Some(&d @ b'0'..=b'4') => (SHORTHANDS[usize::from(d - b'0')].as_bytes(), &line[1..]),
            _ => match line.iter().position(|&b| b == b':') {
                Some(at) => (&line[..at], &line[at + 1..]),
                None => continue,
            },
        };
        if let (Ok(name), Ok(value)) =
            (HeaderName::from_bytes(name), HeaderValue::from_bytes(value))
        {
            map.append(name, value);
        }
    }
    map
}

fn header_name(source: TokenSource) -> &'static str {
    match source {
        s if s.is_cookie() => header::COOKIE.as_str(),
        s => s.name(),
    }
}

/// The two access-token headers, which win over every other source.
const ACCESS_HEADERS: [TokenSource; 2] = [
    TokenSource::HexclaveAccessTokenHeader,
    TokenSource::AccessTokenHeader,
];

fuzz_target!(|data: &[u8]| {
    let map = headers(data);
    match extract_token(&map) {
        Ok(None) => {}
        Ok(Some(token)) => {
            let t = token.as_str();
            assert!(!t.is_empty() && t.len() <= MAX_TOKEN_LEN);
            assert!(
                t.bytes().all(|b| b.is_ascii_graphic()),
                "token has invisible bytes"
            );
            let source = token.source();
            if ACCESS_HEADERS.contains(&source) || source == TokenSource::AuthorizationBearer {
                let raw = map
                    .get(header_name(source))
                    .expect("the source header is present");
                let raw = String::from_utf8_lossy(raw.as_bytes());
                assert!(raw.contains(t), "token not taken from its header");
            }
            if !ACCESS_HEADERS.contains(&source) {
                for header in ACCESS_HEADERS {
                    let first = map.get(header.name());
                    assert!(
                        first.is_none_or(|v| v.as_bytes().trim_ascii().is_empty()),
                        "an access-token header is present but another source won"
                    );
                }
            }
            assert!(
                t.len() < 24 || !format!("{token:?}").contains(t),
                "Debug shows the token"
            );
        }
        Err(e) => {
            assert!(
                map.contains_key(header_name(e.source_kind())),
                "error names an absent source"
            );
            assert!(e.to_string().len() < 120);
        }
    }
});
