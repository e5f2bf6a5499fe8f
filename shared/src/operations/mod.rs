//! One module per family of routes, each holding its request types, response types and handlers. A
//! handler receives typed, validated values (and the caller's access token on 🔑 routes) from the
//! boundary in `dispatch`, and does only its Cognito work. Operations import building blocks (`auth`,
//! `cognito`, `values`, `answers`, `error`), never `dispatch` or `app`.

pub mod account;
pub mod login;
pub mod mfa;
pub mod passkeys;
pub mod password;
pub mod profile;
pub mod session;
pub mod signup;
pub mod totp;
