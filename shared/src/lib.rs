//! Everything behind the API. The modules depend one way only:
//!
//! ```text
//! front doors    lambda (functions/*), local/        -> app
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
//! **Adding a route** (see also ARCHITECTURE.md): its `Operation` in `routes.rs` (path and function name);
//! its request type (`#[derive(Deserialize)]`, `deny_unknown_fields`, fields of `values` types), response
//! type (`#[derive(Serialize)]`) and handler in the family's file under `operations/`; one line in
//! `dispatch` saying whether it needs credentials; then `functions/<name>/`, `events/<name>.json` and its
//! resource in `template.yaml` (the template test names what is missing).

pub mod answers;
pub mod app;
pub mod auth;
pub mod body;
pub mod browser;
pub mod cognito;
pub mod config;
pub mod credentials;
pub mod dispatch;
pub mod error;
pub mod http;
pub mod lambda;
#[cfg(feature = "openapi")]
pub mod openapi;
pub mod operations;
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
