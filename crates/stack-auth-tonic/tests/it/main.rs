//! Integration tests of `stack-auth-tonic`: a real tonic server and client over loopback, and
//! the layer alone for what a tonic client cannot send. One test binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

mod credentials;
mod grpc;
mod layer;
