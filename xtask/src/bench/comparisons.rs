//! The rows of the results table: which of this run's medians is compared with which.

use super::format::Goal;

/// One line of the results table: our median against a baseline of the same run.
pub(crate) struct Comparison {
    pub(crate) bench: &'static str,
    pub(crate) ours: &'static str,
    pub(crate) base: &'static str,
    pub(crate) base_name: &'static str,
    /// `true`: throughput ratio (baseline time / ours); `false`: time ratio (ours / baseline).
    pub(crate) throughput: bool,
    /// The interleaved measurement of the same pair: result file and JSON pointer of a
    /// `paired` object whose `ratio` is ours / baseline time.
    pub(crate) paired: Option<(&'static str, &'static str)>,
    pub(crate) goal: Goal,
}

/// The results table, in order.
pub(crate) const COMPARISONS: &[Comparison] = &[
    Comparison {
        bench: "warm `JwksVerifier`, token cache off (full verification every call)",
        ours: "verify/jwks_verifier_warm",
        base: "verify/jsonwebtoken_decode_baseline",
        base_name: "bare `jsonwebtoken::decode`, pre-parsed key",
        throughput: true,
        paired: Some(("verify", "/paired_warm")),
        goal: Goal::AtLeast(0.9),
    },
    Comparison {
        bench: "warm `JwksVerifier`, token cache off, against the ECDSA P-256 check alone",
        ours: "verify/jwks_verifier_warm",
        base: "verify/aws_lc_ecdsa_verify_only",
        base_name: "aws-lc-rs `verify_sig` alone (the call jsonwebtoken makes), same input",
        throughput: false,
        paired: Some(("verify", "/paired_warm_ecdsa")),
        goal: Goal::AtMost(1.03),
    },
    Comparison {
        bench: "the ECDSA P-256 check with the public key parsed once (aws-lc-rs \
                `ParsedPublicKey`; jsonwebtoken 12's verifier parses it on every call)",
        ours: "verify/aws_lc_ecdsa_verify_parsed_key",
        base: "verify/aws_lc_ecdsa_verify_only",
        base_name: "aws-lc-rs `verify_sig` alone",
        throughput: false,
        paired: None,
        goal: Goal::None,
    },
    Comparison {
        bench: "repeated token through the verified-token cache",
        ours: "verify/jwks_verifier_token_cache_hit",
        base: "verify/jsonwebtoken_decode_baseline",
        base_name: "the same baseline",
        throughput: true,
        paired: Some(("verify", "/paired_token_cache_hit")),
        goal: Goal::AtLeast(30.0),
    },
    Comparison {
        bench: "the token cache's key: 128-bit SipHash-1-3 of the interop token under a secret key",
        ours: "token_digest/siphash13_128",
        base: "token_digest/sha256",
        base_name: "SHA-256 of the same token (the key before; SHA extensions of the CPU)",
        throughput: false,
        paired: None,
        goal: Goal::None,
    },
    Comparison {
        bench: "warm `JwksVerifier` (cache off) on 2 threads, wall time per verification",
        ours: "threads/jwks_2_threads",
        base: "threads/jwks_1_thread",
        base_name: "1 thread",
        throughput: true,
        paired: Some(("threads", "/paired_jwks")),
        goal: Goal::AtLeast(1.7),
    },
    Comparison {
        bench: "control: bare `jsonwebtoken::decode` on 2 threads (what the machine allowed)",
        ours: "threads/decode_2_threads",
        base: "threads/decode_1_thread",
        base_name: "1 thread",
        throughput: true,
        paired: Some(("threads", "/paired_decode")),
        goal: Goal::None,
    },
    Comparison {
        bench: "composite: JWT fully verified, profile from the warm REST cache",
        ours: "composite/composite_warm_profile",
        base: "composite/jwks_warm",
        base_name: "warm `JwksVerifier`, token cache off",
        throughput: false,
        paired: Some(("composite", "/paired_warm_profile")),
        goal: Goal::AtMost(1.2),
    },
    Comparison {
        bench: "composite: JWT from the token cache, profile from the warm REST cache",
        ours: "composite/composite_token_cache_hit",
        base: "composite/jwks_token_cache_hit",
        base_name: "`JwksVerifier` token-cache hit",
        throughput: false,
        paired: Some(("composite", "/paired_token_cache_hit")),
        goal: Goal::AtMost(1.2),
    },
];
