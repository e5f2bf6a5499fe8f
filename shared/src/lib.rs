//! Everything behind the API. The modules depend one way only:
//!
//! ```text
//! front doors    lambda (lambda/), local/            -> app
//! app            App::handle: browser mode, CORS, logging  -> dispatch, browser
//! dispatch       the boundary: body -> request type, credentials -> operations
//! operations/*   one file per route family: request and response types, handlers
//! building       auth/* (login steps, tokens, password and SRP login, challenges, refresh),
//! blocks         cognito (the client handle, GetUser, deliveries), values (validated fields),
//!                answers (shared response types), body, credentials, http, error, config, routes, ...
//! ```
//!
//! No module imports one above it: operations never see `App`, `dispatch` or the front doors, and the
//! building blocks import no operation.
//!
//! **Adding a route** (see also the README's Layout): its `Operation` in `routes.rs` (path and function name);
//! its request type (`#[derive(Deserialize)]`, `deny_unknown_fields`, fields of `values` types), response
//! type (`#[derive(Serialize)]`) and handler in the family's file under `operations/`, both also with
//! `#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]` (doc comments become the descriptions); one
//! line in `dispatch`'s handler table (`public` or `signed_in`, which says whether it needs credentials);
//! its summary and description in `openapi::route`; then `events/<name>.json` and its resource in
//! `template.yaml` (with its `ROUTE`) (the template test names what is missing). Regenerate the contract with
//! `cargo run -p local --bin openapi > openapi.yaml` (`tests/it/contract.rs` fails until it is).

pub mod answers;
pub mod app;
pub mod auth;
pub mod aws;
pub mod body;
pub mod browser;
pub mod cognito;
pub mod config;
pub mod credentials;
pub mod dispatch;
pub mod document;
pub mod error;
pub mod factors;
pub mod http;
pub mod lambda;
pub mod limits;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod operations;
pub mod pool;
pub mod random;
pub mod routes;
pub mod secret_hash;
pub mod telemetry;
pub mod tokens;
pub mod values;

pub use app::App;
pub use config::Config;
pub use error::ApiError;
pub use http::{ApiRequest, ApiResponse};
pub use routes::Operation;
