//! A user-written `TokenVerifier`: an allow-list of user ids in front of any other verifier
//! (here the composite, against the local stand-in).
//!
//! ```sh
//! cargo run --example custom_verifier
//! ```
#![allow(clippy::print_stdout)]

use std::{collections::HashSet, error::Error};

use stack_auth::{
    async_trait,
    composite::CompositeVerifier,
    testkit::{LocalStackAuth, UserSpec},
    Refusal, TokenVerifier, VerifiedUser, VerifyError,
};

/// Lets through only the users on the list; everything else the inner verifier decides.
#[derive(Debug)]
struct AllowList<V> {
    inner: V,
    allowed: HashSet<String>,
}

#[async_trait]
impl<V: TokenVerifier> TokenVerifier for AllowList<V> {
    async fn verify(&self, token: &str) -> Result<VerifiedUser, VerifyError> {
        let user = self.inner.verify(token).await?;
        if self.allowed.contains(user.user_id()) {
            Ok(user)
        } else {
            Err(Refusal::custom("not on the allow-list").into())
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let stack = LocalStackAuth::start().await?;
    let admin = stack.create_user(UserSpec::normal().email("admin@example.com"))?;
    let visitor = stack.create_user(UserSpec::normal().email("visitor@example.com"))?;

    let verifier = AllowList {
        inner: CompositeVerifier::from_config(stack.config(), stack.secret_server_key())?,
        allowed: HashSet::from([admin.id.clone()]),
    };
    for user in [&admin, &visitor] {
        let outcome = match verifier.verify(&stack.mint(user)).await {
            Ok(u) => format!("allowed ({})", u.email().unwrap_or("-")),
            Err(e) => format!("refused: {e}"),
        };
        println!(
            "{:<22} {outcome}",
            user.primary_email.as_deref().unwrap_or("-")
        );
    }
    Ok(())
}
