//! [`ServerSecret`]: the stand-in's server secret, kept out of `Debug` output.

use std::convert::Infallible;
use std::fmt;
use std::str::FromStr;

/// A server secret (`HEXCLAVE_SERVER_SECRET` / `STACK_SERVER_SECRET`) given on the command line. Its `Debug` never shows
/// it; [`ServerSecret::expose`] hands it to the key derivation.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct ServerSecret(String);

impl ServerSecret {
    /// The secret itself, for deriving keys. Never print it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ServerSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ServerSecret([redacted])")
    }
}

impl FromStr for ServerSecret {
    type Err = Infallible;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(ServerSecret(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_secret() {
        let secret: ServerSecret = "23-wuNpik0gIW4mruTz25rbIvhuuvZFrLOLtL7J4tyo"
            .parse()
            .unwrap();
        assert_eq!(format!("{secret:?}"), "ServerSecret([redacted])");
        assert_eq!(
            secret.expose(),
            "23-wuNpik0gIW4mruTz25rbIvhuuvZFrLOLtL7J4tyo"
        );
    }
}
