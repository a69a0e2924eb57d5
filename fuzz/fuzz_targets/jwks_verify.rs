//! Arbitrary bytes as an access token through a `JwksVerifier` holding the interop key set
//! (`static_jwks`: never fetched), on a current-thread runtime, accepting every user type.
//!
//! Checks, for every input: no panic; only the interop tokens that verify at start-up ever
//! verify (no mutation of a valid token is accepted); a refusal before the signature check is
//! one of `malformed`, `unsupported_algorithm`, `unknown_key`, `bad_signature`, and a reason
//! only reachable after the signature holds is given for an exact interop token only; never
//! `unavailable` or `misconfigured` (nothing is fetched); the error's Display, Debug and
//! source chain never contain the input.
#![no_main]

mod common;

use std::{collections::HashSet, sync::OnceLock};

use libfuzzer_sys::fuzz_target;
use stack_auth_core::{RefusalReason, TokenVerifier, UserTypes, VerifyError};
use stack_auth_core::test_util::ManualClock;
use stack_auth_jwks::JwksVerifier;

struct Fixture {
    verifier: JwksVerifier,
    /// Interop tokens that verify with this configuration.
    valid: HashSet<&'static str>,
    /// Every interop token (some carry a real signature and fail later checks).
    known: HashSet<&'static str>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let project = common::project_id();
        let verifier = JwksVerifier::builder(project)
            .base_url(common::base_url())
            .jwks_url("http://127.0.0.1:9/never-fetched")
            .accepted_user_types(UserTypes::ALL)
            .clock(ManualClock::at_unix_secs(common::NOW))
            .static_jwks(common::full_jwks(project))
            .build()
            .expect("verifier over the interop JWKS");
        let known: HashSet<&str> = common::all_cases().map(|(_, t, _)| t).collect();
        let valid: HashSet<&str> = common::all_cases()
            .filter(|(_, _, expect)| {
                expect["ok"] == true || expect["reason"] == "user_type_not_allowed"
            })
            .filter(|(name, _, _)| !name.starts_with("other-config-project"))
            .map(|(_, t, _)| t)
            .collect();
        let rt = common::runtime();
        for token in &valid {
            assert!(
                rt.block_on(verifier.verify(token)).is_ok(),
                "an interop token that must verify does not"
            );
        }
        Fixture {
            verifier,
            valid,
            known,
        }
    })
}

fn before_signature(reason: RefusalReason) -> bool {
    matches!(
        reason,
        RefusalReason::Malformed
            | RefusalReason::UnsupportedAlgorithm
            | RefusalReason::UnknownKey
            | RefusalReason::BadSignature
    )
}

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else {
        return;
    };
    let f = fixture();
    match common::runtime().block_on(f.verifier.verify(token)) {
        Ok(user) => {
            assert!(
                f.valid.contains(token),
                "a token that is not an interop token verified"
            );
            assert_eq!(user.project_id(), common::project_id());
        }
        Err(VerifyError::Refused(refusal)) => {
            let reason = refusal.reason();
            assert!(
                before_signature(reason) || f.known.contains(token),
                "refused as {reason} after the signature check: the signature verified"
            );
            let err = VerifyError::Refused(refusal);
            assert!(
                !common::leaks(&common::render_error(&err), token),
                "error shows the token"
            );
        }
        Err(other) => panic!("static keys, yet: {other:?}"),
    }
});
