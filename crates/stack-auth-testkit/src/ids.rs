//! Random ids and clock helpers shared by the minter and the stand-in.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};
use std::time::{SystemTime, UNIX_EPOCH};

/// A random version-4 UUID, lower-case hyphenated, like the ids Stack Auth hands out.
pub fn random_uuid() -> String {
    let mut b: [u8; 16] = rand::random();
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
    pub fn now(&self) -> i64 {
        self.now_millis().div_euclid(1000)
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
        assert!(random_secret_server_key().expose().starts_with("ssk_"));
    }

    #[test]
    fn clock_freezes_and_advances() {
        let c = TestClock::system();
        assert!(c.now() > 1_700_000_000);
        let shared = c.clone();
        c.freeze_at(1_000);
        assert_eq!(shared.now(), 1_000);
        shared.advance(61);
        assert_eq!(c.now(), 1_061);
        c.unfreeze();
        assert!(shared.now() > 1_700_000_000);
    }
}
