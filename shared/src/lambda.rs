//! The Lambda front door: API Gateway event in, `App::handle`, API Gateway response out.

use crate::app::App;
use crate::config::ConfigError;
use crate::http::ApiRequest;
use crate::routes::Operation;
use bytes::Bytes;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use std::convert::Infallible;

/// The environment variable that names a function's route: its path, like `/login` (template.yaml sets
/// it on each function; every function runs the same binary).
pub const ROUTE_VARIABLE: &str = "ROUTE";

/// The operation this function serves, from `ROUTE`.
pub fn operation_from_env() -> Result<Operation, ConfigError> {
    operation_from_lookup(|name| std::env::var(name).ok())
}

pub fn operation_from_lookup(
    lookup: impl Fn(&str) -> Option<String>,
) -> Result<Operation, ConfigError> {
    let route = lookup(ROUTE_VARIABLE).unwrap_or_default();
    let route = route.trim();
    if route.is_empty() {
        return Err(ConfigError::new(format!(
            "{ROUTE_VARIABLE} is not set: each function names the route it serves, like /login (template.yaml)"
        )));
    }
    Operation::from_path(route).ok_or_else(|| {
        ConfigError::new(format!(
            "{ROUTE_VARIABLE} is {route:?}, which is no route of this API (like /login)"
        ))
    })
}

/// Handles one invocation. Business failures are ordinary 4xx/5xx responses, never a Lambda error.
pub async fn handle(
    app: &App,
    operation: Operation,
    event: Request,
) -> Result<Response<Body>, Infallible> {
    // API Gateway's view of the caller: the address the TCP connection came from.
    let peer = match event.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context
            .http
            .source_ip
            .as_deref()
            .and_then(|ip| ip.parse().ok()),
        _ => None,
    };
    let (parts, body) = event.into_parts();
    // lambda_http has already decoded a base64 body (`isBase64Encoded`) into `Body::Binary`.
    let body = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    let request = ApiRequest {
        method: parts.method,
        headers: parts.headers,
        body,
        peer,
    };
    let response = app.handle(operation, request).await;
    Ok(response.map(Body::Text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn route(value: Option<&str>) -> Result<Operation, String> {
        operation_from_lookup(|name| {
            assert_eq!(name, ROUTE_VARIABLE);
            value.map(str::to_owned)
        })
        .map_err(|e| e.to_string())
    }

    #[test]
    fn every_route_path_names_its_operation() {
        for &op in Operation::ALL {
            assert_eq!(route(Some(op.path())), Ok(op));
        }
        assert_eq!(route(Some(" /login\n")), Ok(Operation::Login));
    }

    #[test]
    fn a_missing_or_unknown_route_fails_the_init_with_a_sentence() {
        for missing in [None, Some(""), Some("  ")] {
            let error = route(missing).unwrap_err();
            assert!(error.contains("ROUTE is not set"), "{error}");
        }
        // A function name or a route key is not a path.
        for wrong in ["login", "POST /login", "/login/", "/nope"] {
            let error = route(Some(wrong)).unwrap_err();
            assert!(error.contains("no route of this API"), "{wrong}: {error}");
            assert!(error.contains(&format!("{wrong:?}")), "{error}");
        }
    }
}
