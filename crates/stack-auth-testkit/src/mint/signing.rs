//! Signing a token, and the breakages applied to the encoded token or its signature.

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::ids::random_uuid;
use crate::jose::{b64, OrderedJson};
use crate::keys::{derive_keys, random_secret, DerivedKey};
use crate::Breakage;

/// Breakages applied to the encoded token or its signature.
pub(super) fn post_signing(
    breakage: Breakage,
    header: &OrderedJson,
    claims: &OrderedJson,
    key: &DerivedKey,
) -> String {
    use Breakage as B;
    let h = b64(header.to_json());
    let p = b64(claims.to_json());
    let input = format!("{h}.{p}");
    let sig = key.sign(input.as_bytes());
    match breakage {
        B::Tampered => {
            let mut forged = claims.clone();
            forged.set("sub", json!(random_uuid()));
            format!("{h}.{}.{}", b64(forged.to_json()), b64(sig))
        }
        B::FlippedSignatureBit => {
            let mut s = sig;
            s[10] ^= 0x01;
            format!("{input}.{}", b64(s))
        }
        B::TruncatedSignature => format!("{input}.{}", b64(&sig[..30])),
        B::AlgNone => {
            let mut none = header.clone();
            none.set("alg", json!("none"));
            format!("{}.{p}.", b64(none.to_json()))
        }
        B::Hs256WithPublicKey => {
            let mut hs = header.clone();
            hs.set("alg", json!("HS256"));
            let input = format!("{}.{p}", b64(hs.to_json()));
            let secret = serde_json::to_string(&key.public_jwk()).unwrap_or_default();
            let mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes())
                .map(|mut m| {
                    m.update(input.as_bytes());
                    m.finalize().into_bytes().to_vec()
                })
                .unwrap_or_default();
            format!("{input}.{}", b64(mac))
        }
        B::Es384Header => {
            let mut es = header.clone();
            es.set("alg", json!("ES384"));
            sign(&es, claims, key)
        }
        B::Empty => String::new(),
        B::TwoSegments => input,
        B::FourSegments => format!("{input}.{}.{}", b64(sig), b64("extra")),
        B::BadBase64Header => format!("{}.{p}.{}", "eyJ!bad*", b64(sig)),
        B::HeaderNotJson => format!("{}.{p}.{}", b64("hello"), b64(sig)),
        B::PayloadNotJson => {
            let input = format!("{h}.{}", b64("[1,2"));
            let sig = key.sign(input.as_bytes());
            format!("{input}.{}", b64(sig))
        }
        B::WhitespacePadded => format!(" {input}.{} ", b64(sig)),
        _ => format!("{input}.{}", b64(sig)),
    }
}

/// Signs `header.payload` with ES256.
pub(super) fn sign(header: &OrderedJson, claims: &OrderedJson, key: &DerivedKey) -> String {
    let input = format!("{}.{}", b64(header.to_json()), b64(claims.to_json()));
    let sig = key.sign(input.as_bytes());
    format!("{input}.{}", b64(sig))
}

/// A key nobody publishes (derived from a fresh random secret).
pub(super) fn attacker_key() -> DerivedKey {
    loop {
        if let Ok([key, _]) = derive_keys(&random_secret(), "attacker") {
            return key;
        }
    }
}
