//! The HTTP integration tests, one binary: each test starts the real `local` server on its own pool of
//! the Cognito emulator and talks to it over HTTP like any client would (see `support`). One module per
//! route family, plus the properties that cut across them (enumeration, limits, contract, logs).
//!
//! The decoy timing test is not here: it measures medians within 5 ms and must not share the CPU with
//! the tests of this binary, which run in parallel. It is the `timing` binary (local/tests/timing/).

mod support;

mod account;
mod browser;
mod contract;
mod enumeration;
mod limits;
mod login;
mod logs;
mod mfa;
mod passkeys;
mod password;
mod profile;
mod session;
mod signup;
