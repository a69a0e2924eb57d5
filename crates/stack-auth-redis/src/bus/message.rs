//! The bus's messages: JSON `{"v":1,"origin":"<process id>","eviction":{"kind":…}}`, the
//! eviction as core serializes it (tagged JSON).

use serde::{Deserialize, Serialize};
use stack_auth_core::Eviction;

/// The message format's version.
const VERSION: u32 = 1;

#[derive(Serialize)]
struct Outgoing<'a> {
    v: u32,
    origin: &'a str,
    eviction: &'a Eviction,
}

#[derive(Deserialize)]
struct Incoming {
    origin: String,
    eviction: serde_json::Value,
}

/// The message announcing `eviction` from the process `origin`.
pub(crate) fn encode(origin: &str, eviction: &Eviction) -> String {
    let message = Outgoing {
        v: VERSION,
        origin,
        eviction,
    };
    // An `Eviction` is strings and tags: serializing it cannot fail; should it ever, the
    // receivers get "everything is stale", which is always correct.
    serde_json::to_string(&message).unwrap_or_else(|_| {
        format!(r#"{{"v":{VERSION},"origin":{origin:?},"eviction":{{"kind":"all"}}}}"#)
    })
}

/// What a message on the channel means to the process `me`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decoded {
    /// Sent by `me`: already applied locally.
    Own,
    /// An eviction of another process.
    Remote(Eviction),
    /// From another process, but an eviction this version does not know (a newer SDK in a
    /// rolling deploy): the receiver treats it as "everything is stale".
    Unknown,
    /// Not a message of the bus.
    Malformed,
}

/// Reads `payload` for the process `me`.
pub(crate) fn decode(payload: &[u8], me: &str) -> Decoded {
    let Ok(message) = serde_json::from_slice::<Incoming>(payload) else {
        return Decoded::Malformed;
    };
    if message.origin == me {
        return Decoded::Own;
    }
    match serde_json::from_value::<Eviction>(message.eviction) {
        Ok(eviction) => Decoded::Remote(eviction),
        Err(_) => Decoded::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_tells_own_from_remote() {
        let e = Eviction::SessionEnded {
            user_id: "u".into(),
            session_id: "s".into(),
        };
        let text = encode("a1", &e);
        assert_eq!(
            text,
            r#"{"v":1,"origin":"a1","eviction":{"kind":"session_ended","user_id":"u","session_id":"s"}}"#
        );
        assert_eq!(decode(text.as_bytes(), "a1"), Decoded::Own);
        assert_eq!(decode(text.as_bytes(), "b2"), Decoded::Remote(e));
    }

    #[test]
    fn unknown_kinds_and_garbage() {
        let newer = br#"{"v":2,"origin":"a1","eviction":{"kind":"organization","id":"o"}}"#;
        assert_eq!(decode(newer, "b2"), Decoded::Unknown);
        assert_eq!(decode(b"hello", "b2"), Decoded::Malformed);
        assert_eq!(
            decode(br#"{"eviction":{"kind":"all"}}"#, "b2"),
            Decoded::Malformed
        );
    }
}
