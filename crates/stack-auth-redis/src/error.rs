//! [`BuildError`]: why a configuration, a shared cache or an eviction bus could not be built.
//! (Operations have no errors: Redis is an accelerator, so a failing Redis is a miss.)

/// Why [`RedisConfig`](crate::RedisConfig), [`RedisSharedCache`](crate::RedisSharedCache) or
/// [`RedisEvictionBus`](crate::RedisEvictionBus) could not be built. The text never contains
/// the URL's password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// The URL is not a Redis URL (`redis://`, `rediss://`, `unix://`, `redis+unix://`).
    #[error("invalid redis url: {0}")]
    InvalidUrl(&'static str),
    /// A `rediss://` URL, but the crate was built without its `rustls` feature.
    #[error("a rediss:// url needs the `rustls` feature of stack-auth-redis")]
    TlsNotEnabled,
    /// The root certificates are not PEM certificates.
    #[error("invalid root certificates: not PEM-encoded X.509 certificates")]
    InvalidRootCertificates,
    /// Root certificates were given for a URL that is not `rediss://`.
    #[error("root certificates are only used with a rediss:// url")]
    RootCertificatesWithoutTls,
    /// The deployment name is empty, too long, or has characters other than ASCII letters,
    /// digits, `_`, `.` and `-`.
    #[error(
        "invalid deployment name: 1 to {max} ASCII letters, digits, `_`, `.` or `-`",
        max = crate::config::MAX_DEPLOYMENT_LEN
    )]
    InvalidDeployment,
    /// A setting is out of range.
    #[error("invalid setting `{setting}`: {reason}")]
    InvalidSetting {
        /// The builder method.
        setting: &'static str,
        /// What is wrong.
        reason: &'static str,
    },
    /// Built outside a tokio runtime: the connection and the bus's tasks need one.
    #[error("no tokio runtime: build inside a tokio runtime")]
    NoRuntime,
}
