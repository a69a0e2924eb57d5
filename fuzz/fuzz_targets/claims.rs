//! Arbitrary bytes as a decoded JWT payload: `AccessTokenClaims::from_json_slice`, then
//! `check_consistency`.
//!
//! Checks: no panic; a parse failure is `malformed`, `wrong_audience` (exactly when `aud` is
//! missing or not a string) or `wrong_issuer` (exactly when `aud` is a string and `iss` is missing
//! or not one); parsed claims serialize and parse back to the same claims; a consistency failure
//! is `inconsistent_claims`, and consistent claims satisfy every PROTOCOL §1.8 rule.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use stack_auth_core::{AccessTokenClaims, RefusalReason, RestrictedReason, MAIN_BRANCH};

fuzz_target!(|data: &[u8]| {
    match AccessTokenClaims::from_json_slice(data) {
        Ok(claims) => parsed(&claims),
        Err(refusal) => refused(data, refusal.reason()),
    }
});

fn refused(data: &[u8], reason: RefusalReason) {
    let value: Option<Value> = serde_json::from_slice(data).ok();
    let object = value.as_ref().and_then(Value::as_object);
    let expected = match object {
        None => RefusalReason::Malformed,
        Some(o) if !o.get("aud").is_some_and(Value::is_string) => RefusalReason::WrongAudience,
        Some(o) if !o.get("iss").is_some_and(Value::is_string) => RefusalReason::WrongIssuer,
        Some(_) => RefusalReason::Malformed,
    };
    assert_eq!(reason, expected);
}

fn parsed(claims: &AccessTokenClaims) {
    let json = serde_json::to_vec(claims).expect("claims serialize");
    let again = AccessTokenClaims::from_json_slice(&json).expect("serialized claims parse back");
    assert_same(claims, &again);
    match claims.check_consistency() {
        Err(r) => assert_eq!(r.reason(), RefusalReason::InconsistentClaims),
        Ok(()) => {
            assert!(!claims.is_anonymous || claims.is_restricted);
            assert_eq!(claims.is_restricted, claims.restricted_reason.is_some());
            assert_eq!(
                claims.is_anonymous,
                claims.restricted_reason == Some(RestrictedReason::Anonymous)
            );
            assert_eq!(claims.audience_user_type(), claims.user_type());
            assert_eq!(claims.branch_id, MAIN_BRANCH);
            assert_eq!(claims.aud.split(':').next(), Some(claims.project_id.as_str()));
        }
    }
}

/// Equal claims; `extra` compared with float tolerance (serde_json's default float parser may
/// read a printed `f64` back one ULP off).
fn assert_same(a: &AccessTokenClaims, b: &AccessTokenClaims) {
    let mut a2 = a.clone();
    let mut b2 = b.clone();
    let (ea, eb) = (std::mem::take(&mut a2.extra), std::mem::take(&mut b2.extra));
    assert_eq!(a2, b2, "claims changed in a serialize/parse round trip");
    assert_eq!(ea.len(), eb.len());
    for (k, v) in &ea {
        assert!(
            eb.get(k).is_some_and(|w| close(v, w)),
            "extra claim {k:?} changed"
        );
    }
}

fn close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) if x.is_finite() && y.is_finite() => {
                x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
            }
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| close(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| close(v, w)))
        }
        _ => a == b,
    }
}
