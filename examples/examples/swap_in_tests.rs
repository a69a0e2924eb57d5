//! Swapping strategies in tests: the same handler, tested with a test-util double (no server at
//! all) and with the local Stack Auth stand-in (real tokens, real verifier).
//!
//! ```sh
//! cargo run --example swap_in_tests     # runs both checks and prints what they saw
//! ```
#![allow(clippy::print_stdout)]

use std::error::Error;

use stack_auth::{
    jwks::JwksVerifier,
    test_util::StaticVerifier,
    testkit::{Breakage, LocalStackAuth, UserSpec},
    RefusalReason, TokenVerifier, UserType, VerifiedUser,
};

/// The code under test: greets the caller, or answers with the HTTP status to send.
async fn greet(verifier: &dyn TokenVerifier, token: &str) -> Result<String, u16> {
    let user = verifier.verify(token).await.map_err(|e| e.http_status())?;
    Ok(format!(
        "hello, {}",
        user.display_name().unwrap_or(user.user_id())
    ))
}

/// With a double: no keys, no server, any answer you want.
async fn with_a_double() -> Result<(), Box<dyn Error>> {
    let double = StaticVerifier::refuse(RefusalReason::Expired).with_token(
        "good",
        Ok(VerifiedUser::new(
            "user-1",
            "project-1",
            UserType::Normal,
            None,
        )),
    );
    assert_eq!(greet(&double, "good").await, Ok("hello, user-1".to_owned()));
    assert_eq!(greet(&double, "old").await, Err(401));
    println!("double:    accepted 'good', refused 'old' with 401");
    Ok(())
}

/// With the stand-in: real ES256 tokens checked by the real JWKS verifier.
async fn with_the_stand_in() -> Result<(), Box<dyn Error>> {
    let stack = LocalStackAuth::start().await?;
    let ada = stack.create_user(UserSpec::normal().display_name("Ada"))?;
    let verifier = JwksVerifier::builder_with_config(stack.config()).build()?;
    assert_eq!(
        greet(&verifier, &stack.mint(&ada)).await,
        Ok("hello, Ada".to_owned())
    );
    let forged = stack.token(&ada).broken(Breakage::Tampered).mint();
    assert_eq!(greet(&verifier, &forged).await, Err(401));
    println!("stand-in:  accepted Ada's token, refused a tampered one with 401");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    with_a_double().await?;
    with_the_stand_in().await
}

// `cargo test --workspace` runs these too (the example is declared with `test = true`).
#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn handler_with_a_double() {
        super::with_a_double().await.unwrap();
    }

    #[tokio::test]
    async fn handler_with_the_stand_in() {
        super::with_the_stand_in().await.unwrap();
    }
}
