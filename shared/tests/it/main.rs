//! The integration tests of `shared`, as one test binary (every file directly under `tests/` would be a
//! binary of its own, each linking the whole AWS SDK). A module per thing tested: the route families
//! first, then what cuts across them. Cognito and DynamoDB are aws-smithy-mocks clients; no emulator.

mod common;

// The route families.
mod account;
mod browser;
mod login;
mod mfa;
mod passkeys;
mod password;
mod profile;
mod session;
mod signup;

// What cuts across the routes.
mod architecture;
mod contract;
mod credentials;
mod events;
mod faults;
mod limits;
mod requests;
mod template;
