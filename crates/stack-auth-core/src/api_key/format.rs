//! The API key string format (PROTOCOL §10.2.4) and its offline check: what a client can know
//! about a key without asking Stack Auth.

use std::fmt;

use super::ApiKeyType;

/// The fixed marker every key string carries before its checksum.
pub const API_KEY_MARKER: &str = "574ck4u7h";

/// The longest string read as an API key (real keys are 102 characters; the prefix is free).
pub const MAX_API_KEY_LEN: usize = 512;

/// Characters after the prefix and its `_`: secret 45, id 32, type 4, scanner 1, marker 9,
/// checksum 8.
const BODY_LEN: usize = 45 + 32 + 4 + 1 + 9 + 8;

/// Why a string is not a well-formed API key. Never contains the string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ApiKeyFormatError {
    /// Longer than [`MAX_API_KEY_LEN`].
    #[error("longer than {MAX_API_KEY_LEN} characters")]
    TooLong,
    /// Not `<prefix>_<secret:45><id:32><type:4><scanner:1>574ck4u7h<checksum:8>` of
    /// `[A-Za-z0-9_]`, or its id part is not 32 lower-case hex digits.
    #[error("not in the api key format")]
    Shape,
    /// The type part is neither `user` nor `team`.
    #[error("the key type is neither user nor team")]
    UnknownType,
    /// The checksum does not match the rest of the key (a typo, a truncated copy, a forgery).
    #[error("the checksum does not match")]
    ChecksumMismatch,
}

/// What the key string itself says: its owner kind, its id, whether it is public. Parsed by
/// [`parse_api_key`]; nothing here is verified by Stack Auth. `Debug` never shows the key.
#[derive(Clone, PartialEq, Eq)]
pub struct ParsedApiKey {
    key_id: String,
    key_type: ApiKeyType,
    prefix: String,
    scanner: u8,
}

impl ParsedApiKey {
    /// The key's id (a UUID, as in the key object), restored from the key string. It is the
    /// key's own id, not its owner's.
    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// A user or a team key.
    pub fn key_type(&self) -> ApiKeyType {
        self.key_type
    }

    /// The prefix: `sk` for secret keys, `pk` for public ones (any `[A-Za-z0-9_]+` parses).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// Whether the key is a public one: its scanner flag says so (bit 1, as the official
    /// parser reads it) or its prefix is `pk`. Public keys are meant to be shown to anyone.
    pub fn is_public(&self) -> bool {
        self.scanner & 2 != 0 || self.prefix == "pk"
    }

    /// Whether the key was created on the hosted service (`api.stack-auth.com`): its scanner
    /// flag is even. Meant for secret scanners only.
    pub fn is_cloud(&self) -> bool {
        self.scanner & 1 == 0
    }
}

impl fmt::Debug for ParsedApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ParsedApiKey")
            .field("key_id", &self.key_id)
            .field("key_type", &self.key_type)
            .field("public", &self.is_public())
            .finish_non_exhaustive()
    }
}

/// Checks `key` against the API key format of PROTOCOL §10.2.4 and its CRC-32, offline:
/// `<prefix>_<secret:45><id:32><user|team><scanner:1>574ck4u7h<checksum:8>`, every part of
/// `[A-Za-z0-9_]`, the id 32 lower-case hex digits, and the checksum the lower-case hex CRC-32
/// (IEEE) of everything before it. Stack Auth itself never parses keys (it looks the exact
/// string up), so a string this refuses cannot be a key it issued.
///
/// ```
/// use stack_auth_core::{parse_api_key, ApiKeyFormatError, ApiKeyType};
///
/// // The worked example of PROTOCOL §10.2.4.
/// let key = "sk_0123456789abcdefghjkmnpqrstvwxyz0123456789abc3241a28583294d698f3d316e08cf140cuser0574ck4u7hdbb7389e";
/// let parsed = parse_api_key(key)?;
/// assert_eq!(parsed.key_id(), "3241a285-8329-4d69-8f3d-316e08cf140c");
/// assert_eq!(parsed.key_type(), ApiKeyType::User);
/// assert!(!parsed.is_public() && parsed.is_cloud());
///
/// let tampered = key.replace("dbb7389e", "dbb7389f");
/// assert_eq!(parse_api_key(&tampered).unwrap_err(), ApiKeyFormatError::ChecksumMismatch);
/// assert_eq!(parse_api_key("sk_this_is_a_fake_api_key_123456789").unwrap_err(), ApiKeyFormatError::Shape);
/// # Ok::<(), ApiKeyFormatError>(())
/// ```
///
/// # Errors
///
/// [`ApiKeyFormatError`]: too long, not the format, an unknown type, or a checksum mismatch
/// (checked in that order).
pub fn parse_api_key(key: &str) -> Result<ParsedApiKey, ApiKeyFormatError> {
    let (prefix, body) = split(key)?;
    let (id, rest) = body[45..].split_at(32);
    let (type_part, rest) = rest.split_at(4);
    let scanner = rest.as_bytes()[0];
    let key_type = match type_part {
        "user" => ApiKeyType::User,
        "team" => ApiKeyType::Team,
        _ => return Err(ApiKeyFormatError::UnknownType),
    };
    let (checked, checksum) = key.split_at(key.len() - 8);
    if format!("{:08x}", crc32fast::hash(checked.as_bytes())) != checksum {
        return Err(ApiKeyFormatError::ChecksumMismatch);
    }
    let key_id = format!(
        "{}-{}-{}-{}-{}",
        &id[..8],
        &id[8..12],
        &id[12..16],
        &id[16..20],
        &id[20..]
    );
    Ok(ParsedApiKey {
        key_id,
        key_type,
        prefix: prefix.to_owned(),
        scanner: char::from(scanner)
            .to_digit(32)
            .map_or(u8::MAX, |d| d as u8),
    })
}

/// Whether `credential` has the shape of an API key (the format of [`parse_api_key`], whatever
/// its type and checksum): how a `Bearer` credential is told from an access token (which has
/// dots) or the official client's `stackauth_` auth JSON (PROTOCOL §10.2.5).
pub fn looks_like_api_key(credential: &str) -> bool {
    split(credential).is_ok()
}

/// The prefix and the 99 characters after its `_`, when `key` has the shape of a key.
fn split(key: &str) -> Result<(&str, &str), ApiKeyFormatError> {
    if key.len() > MAX_API_KEY_LEN {
        return Err(ApiKeyFormatError::TooLong);
    }
    let word = |s: &str| s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if key.len() < BODY_LEN + 2 || !word(key) {
        return Err(ApiKeyFormatError::Shape);
    }
    let (head, body) = key.split_at(key.len() - BODY_LEN);
    let prefix = head.strip_suffix('_').ok_or(ApiKeyFormatError::Shape)?;
    let id = &body[45..77];
    let lower_hex = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    };
    if prefix.is_empty() || &body[82..91] != API_KEY_MARKER || !lower_hex(id) {
        return Err(ApiKeyFormatError::Shape);
    }
    Ok((prefix, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdefghjkmnpqrstvwxyz0123456789abc";
    const ID: &str = "3241a28583294d698f3d316e08cf140c";

    fn key(prefix: &str, kind: &str, scanner: char) -> String {
        let checked = format!("{prefix}_{SECRET}{ID}{kind}{scanner}{API_KEY_MARKER}");
        format!("{checked}{:08x}", crc32fast::hash(checked.as_bytes()))
    }

    #[test]
    fn the_worked_examples_of_the_protocol() {
        let tails = [
            (
                key("sk", "team", '1'),
                "team1574ck4u7h8390c0a3",
                ApiKeyType::Team,
                false,
                false,
            ),
            (
                key("pk", "user", '2'),
                "user2574ck4u7h730c43cd",
                ApiKeyType::User,
                true,
                true,
            ),
            (
                key("pk", "team", '3'),
                "team3574ck4u7h2b2bbbf0",
                ApiKeyType::Team,
                true,
                false,
            ),
        ];
        for (k, tail, kind, public, cloud) in tails {
            assert!(k.ends_with(tail), "{k}");
            let parsed = parse_api_key(&k).unwrap();
            assert_eq!(parsed.key_type(), kind);
            assert_eq!((parsed.is_public(), parsed.is_cloud()), (public, cloud));
            assert!(looks_like_api_key(&k));
        }
    }

    #[test]
    fn every_tampered_checksum_character_is_refused() {
        let good = key("sk", "user", '0');
        for i in good.len() - 8..good.len() {
            let mut bytes = good.clone().into_bytes();
            bytes[i] = if bytes[i] == b'0' { b'1' } else { b'0' };
            let tampered = String::from_utf8(bytes).unwrap();
            assert_eq!(
                parse_api_key(&tampered),
                Err(ApiKeyFormatError::ChecksumMismatch)
            );
            assert!(looks_like_api_key(&tampered));
        }
        let upper = format!(
            "{}{}",
            &good[..good.len() - 8],
            good[good.len() - 8..].to_uppercase()
        );
        assert_eq!(
            parse_api_key(&upper),
            Err(ApiKeyFormatError::ChecksumMismatch)
        );
    }

    #[test]
    fn strings_that_are_not_keys_are_refused_by_shape() {
        let good = key("sk", "user", '0');
        let cases = [
            String::new(),
            "sk_this_is_a_fake_api_key_123456789".to_owned(),
            good[1..].replacen('k', "", 1),
            good.replace(API_KEY_MARKER, "574ck4u7x"),
            good.replace(ID, &ID.to_uppercase()),
            format!("{good}a"),
            good.replacen('_', "-", 1),
            format!("_{}", &good[3..]),
            "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln".to_owned(),
        ];
        for case in cases {
            assert_eq!(
                parse_api_key(&case).map(|_| ()),
                Err(ApiKeyFormatError::Shape),
                "{case}"
            );
            assert!(!looks_like_api_key(&case));
        }
        let long = format!("{}{}", "a".repeat(MAX_API_KEY_LEN), good);
        assert_eq!(
            parse_api_key(&long).map(|_| ()),
            Err(ApiKeyFormatError::TooLong)
        );
        let bad_type = key("sk", "bots", '0');
        assert_eq!(
            parse_api_key(&bad_type).map(|_| ()),
            Err(ApiKeyFormatError::UnknownType)
        );
        // A long prefix (with underscores) is still a key, as the official parser reads it.
        assert!(parse_api_key(&key("my_own_prefix", "team", '1')).is_ok());
    }

    #[test]
    fn debug_never_shows_the_key() {
        let k = key("sk", "user", '0');
        let shown = format!("{:?}", parse_api_key(&k).unwrap());
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains("3241a285-8329-4d69-8f3d-316e08cf140c"));
    }
}
