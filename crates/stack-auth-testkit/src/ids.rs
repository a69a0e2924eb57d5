//! Random ids and clock helpers shared by the minter and the stand-in.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};
use std::time::{SystemTime, UNIX_EPOCH};

/// A random version-4 UUID, lower-case hyphenated, like the ids Stack Auth hands out.
pub fn random_uuid() -> String {
    uuid_v4_layout(rand::random())
}

/// The same UUID for the same `name`, every time: the first 16 bytes of SHA-256 of the name,
/// shaped like a version-4 UUID (Stack Auth's schemas accept only versions 1-5). For tools and
/// tests that name users (`stack-auth serve --user alice`) while the user ids must be UUIDs.
///
/// ```
/// use stack_auth_testkit::{is_uuid, uuid_for_name};
///
/// assert_eq!(uuid_for_name("alice"), uuid_for_name("alice"));
/// assert_ne!(uuid_for_name("alice"), uuid_for_name("bob"));
/// assert!(is_uuid(&uuid_for_name("alice")));
/// ```
pub fn uuid_for_name(name: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::new()
        .chain_update(b"stack-auth-testkit user\0")
        .chain_update(name.as_bytes())
        .finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid_v4_layout(bytes)
}

/// Whether `id` is a UUID Stack Auth's schemas accept (`yup`'s `uuid()`: hyphenated hex,
/// version 1-5, RFC 4122 variant, either case; or the nil UUID).
pub fn is_uuid(id: &str) -> bool {
    let b = id.as_bytes();
    if id == "00000000-0000-0000-0000-000000000000" {
        return true;
    }
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
        && (b'1'..=b'5').contains(&b[14])
        && matches!(b[19].to_ascii_lowercase(), b'8' | b'9' | b'a' | b'b')
}

fn uuid_v4_layout(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// A random secret server key in Stack Auth's `ssk_…` format.
pub fn random_secret_server_key() -> stack_auth_core::SecretServerKey {
    let tail: String = rand::random::<[u8; 24]>()
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    stack_auth_core::SecretServerKey::new(format!("ssk_{tail}"))
}

/// The clock the stand-in and its minter read: the system clock unless frozen at a Unix time
/// (in milliseconds). Cloning shares the clock.
#[derive(Debug, Clone)]
pub struct TestClock(Arc<AtomicI64>);

const SYSTEM: i64 = i64::MIN;

impl Default for TestClock {
    fn default() -> Self {
        TestClock(Arc::new(AtomicI64::new(SYSTEM)))
    }
}

impl TestClock {
    /// A clock that follows the system clock until frozen.
    pub fn system() -> Self {
        TestClock::default()
    }

    /// Freezes the clock at `unix_seconds`.
    pub fn freeze_at(&self, unix_seconds: i64) {
        self.0
            .store(unix_seconds.saturating_mul(1000), Ordering::SeqCst);
    }

    /// Moves a frozen clock forward by `seconds` (freezing it at now + `seconds` if it followed
    /// the system clock).
    pub fn advance(&self, seconds: i64) {
        let now = self.now_millis();
        self.0.store(
            now.saturating_add(seconds.saturating_mul(1000)),
            Ordering::SeqCst,
        );
    }

    /// Follows the system clock again.
    pub fn unfreeze(&self) {
        self.0.store(SYSTEM, Ordering::SeqCst);
    }

    /// Now, Unix milliseconds.
    pub fn now_millis(&self) -> i64 {
        match self.0.load(Ordering::SeqCst) {
            SYSTEM => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
                .unwrap_or(0),
            frozen => frozen,
        }
    }

    /// Now, Unix seconds (floored, as `jose` does for `iat`).
    pub fn unix_secs(&self) -> i64 {
        self.now_millis().div_euclid(1000)
    }
}

/// The stand-in's clock is a [`Clock`](stack_auth_core::Clock) too: hand a clone to a verifier
/// and both agree on the time.
impl stack_auth_core::Clock for TestClock {
    fn now(&self) -> SystemTime {
        let millis = u64::try_from(self.now_millis()).unwrap_or(0);
        UNIX_EPOCH + std::time::Duration::from_millis(millis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_shape() {
        let id = random_uuid();
        assert_eq!(id.len(), 36);
        assert_eq!(&id[14..15], "4");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"));
        assert_ne!(id, random_uuid());
        assert!(is_uuid(&id));
        assert!(random_secret_server_key().expose().starts_with("ssk_"));
    }

    #[test]
    fn uuids_are_checked_as_stack_auths_schemas_check_them() {
        for good in [
            "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e",
            "3F6D2A9C-1B7E-1C55-BE0A-8D2B4F6A1C3E",
            "00000000-0000-0000-0000-000000000000",
        ] {
            assert!(is_uuid(good), "{good}");
        }
        for bad in [
            "alice",
            "",
            "3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3",
            "3f6d2a9c-1b7e-6c55-9e0a-8d2b4f6a1c3e",
            "3f6d2a9c-1b7e-4c55-7e0a-8d2b4f6a1c3e",
            "3f6d2a9c1b7e-4c55-9e0a-8d2b4f6a1c3e0",
            "3f6d2a9g-1b7e-4c55-9e0a-8d2b4f6a1c3e",
            "{3f6d2a9c-1b7e-4c55-9e0a-8d2b4f6a1c3e}",
        ] {
            assert!(!is_uuid(bad), "{bad}");
        }
        // Pinned: `stack-auth mint --user alice` and `serve --user alice` of different
        // versions must name the same user.
        assert_eq!(
            uuid_for_name("alice"),
            "f9902ddf-c94c-4dad-8661-09553f69c359"
        );
        assert_ne!(uuid_for_name("alice"), uuid_for_name("Alice"));
    }

    #[test]
    fn clock_freezes_and_advances() {
        let c = TestClock::system();
        assert!(c.unix_secs() > 1_700_000_000);
        let shared = c.clone();
        c.freeze_at(1_000);
        assert_eq!(shared.unix_secs(), 1_000);
        shared.advance(61);
        assert_eq!(c.unix_secs(), 1_061);
        c.unfreeze();
        assert!(shared.unix_secs() > 1_700_000_000);
        // The same time through the SDK's `Clock`, in milliseconds.
        c.freeze_at(1_000);
        let wall = stack_auth_core::Clock::now(&c);
        assert_eq!(wall, UNIX_EPOCH + std::time::Duration::from_secs(1_000));
    }
}
