//! The Lambda front door: API Gateway event in, `App::handle`, API Gateway response out.

use crate::app::App;
use crate::http::ApiRequest;
use crate::routes::Operation;
use bytes::Bytes;
use lambda_http::{Body, Request, Response};
use std::convert::Infallible;

/// Handles one invocation. Business failures are ordinary 4xx/5xx responses, never a Lambda error.
pub async fn handle(
    app: &App,
    operation: Operation,
    event: Request,
) -> Result<Response<Body>, Infallible> {
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
    };
    let response = app.handle(operation, request).await;
    Ok(response.map(Body::Text))
}
