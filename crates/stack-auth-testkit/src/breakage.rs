//! [`Breakage`]: deliberately broken tokens, one per way a verifier can be attacked or fed
//! garbage (the hostile cases of the interop fixtures, minted with the stand-in's keys).

use stack_auth_core::RefusalReason;

/// How to break a minted token. Each variant names the refusal a local (JWKS) verifier must
/// give, [`Breakage::expected_refusal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Breakage {
    /// Signed by an attacker's key, with the real `kid`.
    WrongKey,
    /// The payload is changed (another `sub`) after signing.
    Tampered,
    /// Expired an hour ago (`iat` 70 minutes ago, the default 10-minute lifetime).
    Expired,
    /// One bit of the signature is flipped.
    FlippedSignatureBit,
    /// The signature is cut to 30 bytes.
    TruncatedSignature,
    /// The `kid` names no published key.
    UnknownKid,
    /// The header has no `kid`.
    MissingKid,
    /// Signed by an attacker whose public key is embedded in the header (`jwk`).
    EmbeddedJwk,
    /// Signed by an attacker whose key set is named in the header (`jku`).
    Jku,
    /// `alg: none`, empty signature.
    AlgNone,
    /// `alg: HS256`, HMAC keyed with the project's public JWK (the algorithm-confusion attack).
    Hs256WithPublicKey,
    /// `alg: ES384` on an ES256 signature.
    Es384Header,
    /// An unknown critical header extension (`crit`).
    CritHeader,
    /// Issued by another deployment (`https://stack.evil.example`).
    IssuerOfOtherDeployment,
    /// The issuer of another user type (restricted issuer on a normal-audience token, normal
    /// issuer otherwise).
    IssuerVariantMismatch,
    /// Signed with this project's key but naming another project's audience.
    AudienceOfOtherProject,
    /// `aud` as an array.
    AudienceAsArray,
    /// `branch_id` is not `main`.
    BranchNotMain,
    /// Anonymous claims on a normal audience, signed with the normal key.
    AnonymousClaimOnNormalAudience,
    /// `is_restricted: true` with `restricted_reason: null`.
    RestrictedWithoutReason,
    /// No `sub`.
    MissingSub,
    /// `exp` as a string.
    ExpAsString,
    /// No `exp`.
    MissingExp,
    /// The empty string.
    Empty,
    /// Only header and payload.
    TwoSegments,
    /// A fourth segment appended.
    FourSegments,
    /// A header that is not base64url.
    BadBase64Header,
    /// A header that is base64url but not JSON.
    HeaderNotJson,
    /// A payload that is base64url but not JSON (correctly signed).
    PayloadNotJson,
    /// Surrounded by spaces.
    WhitespacePadded,
    /// About 200 KB long (a padding claim), correctly signed.
    Huge,
}

impl Breakage {
    /// Every breakage, in a stable order.
    pub const ALL: [Breakage; 31] = [
        Breakage::WrongKey,
        Breakage::Tampered,
        Breakage::Expired,
        Breakage::FlippedSignatureBit,
        Breakage::TruncatedSignature,
        Breakage::UnknownKid,
        Breakage::MissingKid,
        Breakage::EmbeddedJwk,
        Breakage::Jku,
        Breakage::AlgNone,
        Breakage::Hs256WithPublicKey,
        Breakage::Es384Header,
        Breakage::CritHeader,
        Breakage::IssuerOfOtherDeployment,
        Breakage::IssuerVariantMismatch,
        Breakage::AudienceOfOtherProject,
        Breakage::AudienceAsArray,
        Breakage::BranchNotMain,
        Breakage::AnonymousClaimOnNormalAudience,
        Breakage::RestrictedWithoutReason,
        Breakage::MissingSub,
        Breakage::ExpAsString,
        Breakage::MissingExp,
        Breakage::Empty,
        Breakage::TwoSegments,
        Breakage::FourSegments,
        Breakage::BadBase64Header,
        Breakage::HeaderNotJson,
        Breakage::PayloadNotJson,
        Breakage::WhitespacePadded,
        Breakage::Huge,
    ];

    /// A stable kebab-case label, matching the interop case names where one exists.
    pub fn label(self) -> &'static str {
        match self {
            Breakage::WrongKey => "attacker-key-real-kid",
            Breakage::Tampered => "tampered-payload",
            Breakage::Expired => "expired",
            Breakage::FlippedSignatureBit => "flipped-signature-bit",
            Breakage::TruncatedSignature => "truncated-signature",
            Breakage::UnknownKid => "unknown-kid",
            Breakage::MissingKid => "missing-kid",
            Breakage::EmbeddedJwk => "embedded-jwk-header",
            Breakage::Jku => "jku-header",
            Breakage::AlgNone => "alg-none",
            Breakage::Hs256WithPublicKey => "hs256-with-public-key-as-secret",
            Breakage::Es384Header => "es384-header",
            Breakage::CritHeader => "crit-header",
            Breakage::IssuerOfOtherDeployment => "issuer-of-other-deployment",
            Breakage::IssuerVariantMismatch => "issuer-variant-mismatch",
            Breakage::AudienceOfOtherProject => "audience-of-other-project",
            Breakage::AudienceAsArray => "audience-as-array",
            Breakage::BranchNotMain => "branch-not-main",
            Breakage::AnonymousClaimOnNormalAudience => "anonymous-claim-on-normal-audience",
            Breakage::RestrictedWithoutReason => "restricted-without-reason",
            Breakage::MissingSub => "missing-sub",
            Breakage::ExpAsString => "exp-as-string",
            Breakage::MissingExp => "missing-exp",
            Breakage::Empty => "empty",
            Breakage::TwoSegments => "two-segments",
            Breakage::FourSegments => "four-segments",
            Breakage::BadBase64Header => "bad-base64-header",
            Breakage::HeaderNotJson => "header-not-json",
            Breakage::PayloadNotJson => "payload-not-json",
            Breakage::WhitespacePadded => "whitespace-padded",
            Breakage::Huge => "huge-token",
        }
    }

    /// The refusal a local (JWKS) verifier must give, as in the interop fixtures.
    pub fn expected_refusal(self) -> RefusalReason {
        use Breakage as B;
        match self {
            B::WrongKey | B::Tampered | B::FlippedSignatureBit | B::TruncatedSignature => {
                RefusalReason::BadSignature
            }
            B::Expired => RefusalReason::Expired,
            B::UnknownKid | B::EmbeddedJwk | B::Jku => RefusalReason::UnknownKey,
            B::AlgNone | B::Hs256WithPublicKey | B::Es384Header => {
                RefusalReason::UnsupportedAlgorithm
            }
            B::IssuerOfOtherDeployment | B::IssuerVariantMismatch => RefusalReason::WrongIssuer,
            B::AudienceOfOtherProject | B::AudienceAsArray => RefusalReason::WrongAudience,
            B::BranchNotMain | B::AnonymousClaimOnNormalAudience | B::RestrictedWithoutReason => {
                RefusalReason::InconsistentClaims
            }
            B::MissingKid
            | B::CritHeader
            | B::MissingSub
            | B::ExpAsString
            | B::MissingExp
            | B::Empty
            | B::TwoSegments
            | B::FourSegments
            | B::BadBase64Header
            | B::HeaderNotJson
            | B::PayloadNotJson
            | B::WhitespacePadded
            | B::Huge => RefusalReason::Malformed,
        }
    }
}
