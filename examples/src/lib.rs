//! Shared helpers for the examples.
#![allow(clippy::print_stdout)]

pub mod backend;
pub mod fleet;
pub mod smoke;

/// README.md, whose Rust snippets run here as doc tests (`no_run` ones are compiled only), so a
/// snippet that no longer matches the API fails `cargo test --workspace`.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeSnippets;
