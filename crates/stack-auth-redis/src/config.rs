//! [`RedisConfig`]: which Redis, and which deployment's keys in it. One configuration is shared
//! by the shared cache and the eviction bus of a process (they must agree on both).

use std::{fmt, time::Duration};

use crate::{keys::Keys, BuildError};

/// The deployment name used when none is set.
pub const DEFAULT_DEPLOYMENT: &str = "default";

/// The longest deployment name.
pub const MAX_DEPLOYMENT_LEN: usize = 64;

/// How long connecting to Redis may take by default (in the background: callers never wait for
/// it longer than their operation timeout).
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Which Redis to use and the deployment whose keys this process reads and writes in it.
/// Cloning is cheap.
///
/// The URL is redis-rs's: `redis://[<user>][:<password>@]<host>[:<port>][/<db>]` (the user
/// and password are sent with `AUTH`, so an ACL user works), `rediss://` for TLS (feature
/// `rustls`, on by default), `unix:///path/to/redis.sock` or `redis+unix://`. `Debug` shows
/// it without the password.
///
/// ```
/// use stack_auth_redis::RedisConfig;
///
/// let config = RedisConfig::builder("rediss://stack-auth:s3cret@redis.internal:6380/0")
///     .deployment("shop-production")
///     .build()?;
/// assert!(!format!("{config:?}").contains("s3cret"));
/// # Ok::<(), stack_auth_redis::BuildError>(())
/// ```
#[derive(Clone)]
pub struct RedisConfig {
    pub(crate) client: redis::Client,
    pub(crate) keys: Keys,
    pub(crate) connect_timeout: Duration,
    redacted: String,
}

/// Builds a [`RedisConfig`]; see [`RedisConfig::builder`].
#[derive(Clone)]
pub struct RedisConfigBuilder {
    url: String,
    deployment: String,
    root_certificates: Option<Vec<u8>>,
    connect_timeout: Duration,
}

impl RedisConfig {
    /// A builder for `url`, with the [`DEFAULT_DEPLOYMENT`] and [`DEFAULT_CONNECT_TIMEOUT`].
    pub fn builder(url: impl Into<String>) -> RedisConfigBuilder {
        RedisConfigBuilder {
            url: url.into(),
            deployment: DEFAULT_DEPLOYMENT.to_owned(),
            root_certificates: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }

    /// `RedisConfig::builder(url).build()`.
    ///
    /// # Errors
    ///
    /// As [`RedisConfigBuilder::build`].
    pub fn new(url: impl Into<String>) -> Result<RedisConfig, BuildError> {
        RedisConfig::builder(url).build()
    }

    /// The deployment name.
    pub fn deployment(&self) -> &str {
        self.keys.deployment()
    }
}

impl RedisConfigBuilder {
    /// Names the deployment: every key and the eviction channel are prefixed with
    /// `stack-auth:<deployment>:`, so several deployments (production, staging, another
    /// project) can share one Redis without reading each other's entries or evictions. All
    /// processes of one deployment must use the same name. 1 to [`MAX_DEPLOYMENT_LEN`] ASCII
    /// letters, digits, `_`, `.` or `-`.
    pub fn deployment(mut self, name: impl Into<String>) -> Self {
        self.deployment = name.into();
        self
    }

    /// Trusts these PEM certificates (a private CA) instead of the platform's roots for a
    /// `rediss://` URL.
    pub fn root_certificates(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.root_certificates = Some(pem.into());
        self
    }

    /// How long one connection attempt may take (default [`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Checks the URL, the deployment name and the certificates.
    ///
    /// # Errors
    ///
    /// [`BuildError::InvalidUrl`], [`BuildError::TlsNotEnabled`] (a `rediss://` URL without the
    /// `rustls` feature), [`BuildError::InvalidRootCertificates`],
    /// [`BuildError::RootCertificatesWithoutTls`], [`BuildError::InvalidDeployment`], or
    /// [`BuildError::InvalidSetting`] for a zero connect timeout.
    pub fn build(self) -> Result<RedisConfig, BuildError> {
        let keys = Keys::new(&self.deployment).ok_or(BuildError::InvalidDeployment)?;
        if self.connect_timeout.is_zero() {
            return Err(BuildError::InvalidSetting {
                setting: "connect_timeout",
                reason: "must be more than zero",
            });
        }
        let tls = self.url.trim_start().starts_with("rediss://");
        if self.root_certificates.is_some() && !tls {
            return Err(BuildError::RootCertificatesWithoutTls);
        }
        let client = client(&self.url, tls, self.root_certificates.as_deref())?;
        Ok(RedisConfig {
            client,
            keys,
            connect_timeout: self.connect_timeout,
            redacted: redact(&self.url),
        })
    }
}

#[cfg(feature = "rustls")]
fn client(url: &str, tls: bool, roots: Option<&[u8]>) -> Result<redis::Client, BuildError> {
    use rustls::pki_types::{pem::PemObject, CertificateDer};

    if tls {
        // redis-rs builds its rustls configuration with the process's default provider; install
        // aws-lc-rs unless the application installed one (then this does nothing).
        let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    }
    let Some(pem) = roots else {
        return redis::Client::open(url).map_err(|_| BuildError::InvalidUrl(URL_FORMS));
    };
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(pem).collect();
    if !certs.is_ok_and(|c| !c.is_empty()) {
        return Err(BuildError::InvalidRootCertificates);
    }
    let info = redis::IntoConnectionInfo::into_connection_info(url)
        .map_err(|_| BuildError::InvalidUrl(URL_FORMS))?;
    let certificates = redis::TlsCertificates {
        client_tls: None,
        root_cert: Some(pem.to_vec()),
    };
    redis::Client::build_with_tls(info, certificates)
        .map_err(|_| BuildError::InvalidRootCertificates)
}

#[cfg(not(feature = "rustls"))]
fn client(url: &str, tls: bool, _roots: Option<&[u8]>) -> Result<redis::Client, BuildError> {
    if tls {
        return Err(BuildError::TlsNotEnabled);
    }
    redis::Client::open(url).map_err(|_| BuildError::InvalidUrl(URL_FORMS))
}

const URL_FORMS: &str = "expected redis://, rediss://, unix:// or redis+unix://";

/// `url` with its password replaced, in the userinfo and in the query (`unix://` URLs carry
/// `?user=…&pass=…`, which redis-rs reads): every query value but `db` and `protocol` is
/// replaced.
fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) => {
            if parsed.password().is_some() {
                let _ = parsed.set_password(Some("***"));
            }
            if parsed.query().is_some() {
                let pairs: Vec<(String, String)> = parsed
                    .query_pairs()
                    .map(|(k, v)| {
                        let shown = matches!(k.as_ref(), "db" | "protocol");
                        let v = if shown {
                            v.into_owned()
                        } else {
                            "***".to_owned()
                        };
                        (k.into_owned(), v)
                    })
                    .collect();
                parsed.query_pairs_mut().clear().extend_pairs(pairs);
            }
            parsed.to_string()
        }
        Err(_) => "<unparsable url>".to_owned(),
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConfig")
            .field("url", &self.redacted)
            .field("deployment", &self.deployment())
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

impl fmt::Debug for RedisConfigBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConfigBuilder")
            .field("url", &redact(&self.url))
            .field("deployment", &self.deployment)
            .field("root_certificates", &self.root_certificates.is_some())
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        let builder = RedisConfig::builder("redis://app:hunter22@127.0.0.1:6379/0");
        assert!(!format!("{builder:?}").contains("hunter22"));
        let config = builder.build();
        let text = format!("{config:?}");
        assert!(
            !text.contains("hunter22") && text.contains("app:***@127.0.0.1"),
            "{text}"
        );
        for url in [
            "unix:///run/redis.sock?db=2&user=app&pass=hunter22",
            "redis+unix:///run/redis.sock?pass=hunter22",
        ] {
            let text = format!("{:?}", RedisConfig::builder(url));
            assert!(!text.contains("hunter22"), "{text}");
            assert_eq!(text.contains("db=2"), url.contains("db=2"), "{text}");
            let config = RedisConfig::new(url);
            assert!(!format!("{config:?}").contains("hunter22"), "{url}");
        }
        let bad = RedisConfig::new("http://app:hunter22@host/").map(|_| ());
        assert_eq!(bad, Err(BuildError::InvalidUrl(URL_FORMS)));
        assert!(!format!("{bad:?}").contains("hunter22"));
    }

    #[test]
    fn deployment_names_and_settings_are_checked() {
        let url = "redis://127.0.0.1/";
        let ok = RedisConfig::builder(url)
            .deployment("shop-prod_2.eu")
            .build();
        assert_eq!(
            ok.map(|c| c.deployment().to_owned()).ok().as_deref(),
            Some("shop-prod_2.eu")
        );
        for bad in ["", "with space", "colon:", "x".repeat(65).as_str()] {
            let built = RedisConfig::builder(url)
                .deployment(bad)
                .build()
                .map(|_| ());
            assert_eq!(built, Err(BuildError::InvalidDeployment), "{bad:?}");
        }
        let zero = RedisConfig::builder(url)
            .connect_timeout(Duration::ZERO)
            .build();
        assert!(matches!(
            zero,
            Err(BuildError::InvalidSetting {
                setting: "connect_timeout",
                ..
            })
        ));
    }

    #[test]
    fn root_certificates_must_be_pem_and_need_tls() {
        let plain = RedisConfig::builder("redis://127.0.0.1/")
            .root_certificates("x")
            .build()
            .map(|_| ());
        assert_eq!(plain, Err(BuildError::RootCertificatesWithoutTls));
        let garbage = RedisConfig::builder("rediss://127.0.0.1/")
            .root_certificates("not a certificate")
            .build()
            .map(|_| ());
        let expected = if cfg!(feature = "rustls") {
            BuildError::InvalidRootCertificates
        } else {
            BuildError::TlsNotEnabled
        };
        assert_eq!(garbage, Err(expected));
    }
}
