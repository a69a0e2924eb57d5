//! Tests against a real `redis-server` each test starts for itself (127.0.0.1, a free port, no
//! persistence; see `stack_auth_testkit::RedisServer`). Nothing is mocked at the Redis protocol
//! level. Without `redis-server` on PATH they fail, saying how to install it.

mod bus;
mod cache;
mod outage;
mod secrets;
mod secure;
mod support;
