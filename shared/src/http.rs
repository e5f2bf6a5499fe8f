//! The HTTP shapes both front doors share: the request as they see it, a successful reply, and the one way
//! every answer is written (JSON, `Cache-Control: no-store`). A building block: it imports no operation.

use crate::error::ApiError;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, Method, Response, StatusCode};
use serde::Serialize;

/// A request as both front doors see it.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The address the request came from, as the front door saw it (API Gateway's `sourceIp`, the
    /// local socket's peer).
    pub peer: Option<std::net::IpAddr>,
}

impl ApiRequest {
    pub fn post(body: impl Into<Bytes>) -> ApiRequest {
        ApiRequest {
            method: Method::POST,
            headers: HeaderMap::new(),
            body: body.into(),
            peer: None,
        }
    }

    pub fn header(&self, name: impl http::header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub type ApiResponse = Response<String>;

/// A successful answer: the operation's response as JSON, and headers the front door may add (cookies).
#[derive(Debug)]
pub struct Reply {
    pub body: serde_json::Value,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Reply {
    /// The JSON of an operation's response type.
    pub fn json(response: &impl Serialize) -> Result<Reply, ApiError> {
        let body = serde_json::to_value(response).map_err(|_| ApiError::Internal)?;
        Ok(Reply::from(body))
    }
}

impl From<serde_json::Value> for Reply {
    fn from(body: serde_json::Value) -> Reply {
        Reply {
            body,
            headers: Vec::new(),
        }
    }
}

pub fn error_response(err: &ApiError) -> ApiResponse {
    let mut headers = Vec::new();
    if let ApiError::TooManyRequests { retry_after } = err {
        headers.push((RETRY_AFTER, HeaderValue::from(*retry_after)));
    }
    if matches!(err, ApiError::MethodNotAllowed) {
        headers.push((http::header::ALLOW, HeaderValue::from_static("POST")));
    }
    if err.status().is_server_error() || matches!(err, ApiError::UnsupportedChallenge(_)) {
        tracing::warn!(code = err.code(), "request failed");
    }
    json_response(err.status(), &err.body(), headers)
}

pub fn json_response(
    status: StatusCode,
    body: &serde_json::Value,
    headers: Vec<(HeaderName, HeaderValue)>,
) -> ApiResponse {
    // serde_json's own writer, not `Value`'s Display, which goes through `core::fmt` a piece at a time.
    let text = serde_json::to_string(body).unwrap_or_else(|_| String::from("{}"));
    let mut response = Response::new(text);
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    // Every answer may carry tokens or personal data: no cache anywhere may keep it.
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    for (name, value) in headers {
        h.append(name, value);
    }
    response
}
