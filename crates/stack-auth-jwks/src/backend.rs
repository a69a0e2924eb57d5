//! The signature backend: the jsonwebtoken crypto provider of this crate's enabled features,
//! chosen once by the builder and passed to every verification.
//!
//! jsonwebtoken keeps a process-wide default provider. This crate neither reads nor installs it:
//! even reading it ([`CryptoProvider::try_get_default`]) claims it for the crate features' choice
//! when exactly one backend is compiled, after which the application can no longer install its
//! own. The application's global stays the application's.

use jsonwebtoken::crypto::CryptoProvider;

/// The provider of the enabled backend: RustCrypto when `rust_crypto` is on (also with
/// `aws_lc_rs`, as documented), else aws-lc with `aws_lc_rs`, else none.
pub(crate) fn feature_provider() -> Option<&'static CryptoProvider> {
    #[cfg(feature = "rust_crypto")]
    let provider = Some(&jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER);
    #[cfg(all(feature = "aws_lc_rs", not(feature = "rust_crypto")))]
    let provider = Some(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
    #[cfg(not(any(feature = "aws_lc_rs", feature = "rust_crypto")))]
    let provider: Option<&'static CryptoProvider> = None;
    provider
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_enabled_backend_is_chosen() {
        #[cfg(feature = "rust_crypto")]
        let want = Some(&jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER);
        #[cfg(all(feature = "aws_lc_rs", not(feature = "rust_crypto")))]
        let want = Some(&jsonwebtoken::crypto::aws_lc::DEFAULT_PROVIDER);
        #[cfg(not(any(feature = "aws_lc_rs", feature = "rust_crypto")))]
        let want: Option<&'static CryptoProvider> = None;
        let address = |p: Option<&'static CryptoProvider>| p.map(std::ptr::from_ref);
        assert_eq!(address(feature_provider()), address(want));
    }
}
