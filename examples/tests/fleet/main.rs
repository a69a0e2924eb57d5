//! A fleet behaves like one server (issue 21): several instances, each standing for one
//! process, wired as README "Running a fleet" shows, against a real `redis-server` and the
//! Stack Auth stand-in. Request counts are exact (the stand-in's request log); delays are
//! measured and printed, never asserted.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod counts;
mod outage;
mod webhooks;
