//! Everything behind the API: configuration, the Cognito client, request validation, error mapping,
//! challenge handling and the handler of every operation. The Lambda functions (`functions/*`) and the
//! local server (`local/`) are two thin front doors onto `App::handle`.

pub mod app;
pub mod browser;
pub mod challenge;
pub mod cognito;
pub mod config;
pub mod credentials;
pub mod error;
pub mod input;
pub mod lambda;
pub mod operations;
pub mod random;
pub mod routes;
pub mod secret_hash;
pub mod srp;
pub mod telemetry;
pub mod tokens;

pub use app::{ApiRequest, ApiResponse, App};
pub use config::Config;
pub use error::ApiError;
pub use routes::Operation;
