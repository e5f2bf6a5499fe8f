//! The one implementation behind both front doors (Lambda and the local server): an `App` holds the
//! configuration and the Cognito client, built once per container, and turns a request into a response.

use crate::browser;
use crate::config::{Config, ConfigError};
use crate::error::{ApiError, RETRY_AFTER_SECONDS};
use crate::operations;
use crate::routes::Operation;
use aws_sdk_cognitoidentityprovider::Client;
use bytes::Bytes;
use http::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderMap, Method, Response, StatusCode};
use std::sync::Arc;
use std::time::Instant;

/// A request as both front doors see it.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    pub method: Method,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl ApiRequest {
    pub fn post(body: impl Into<Bytes>) -> ApiRequest {
        ApiRequest {
            method: Method::POST,
            headers: HeaderMap::new(),
            body: body.into(),
        }
    }

    pub fn header(&self, name: impl http::header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub type ApiResponse = Response<String>;

/// A successful answer: a JSON body, and headers an operation may add (cookies).
#[derive(Debug)]
pub struct Reply {
    pub body: serde_json::Value,
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl From<serde_json::Value> for Reply {
    fn from(body: serde_json::Value) -> Reply {
        Reply {
            body,
            headers: Vec::new(),
        }
    }
}

/// `{"status": "SUCCESS"}`, the answer of operations that return nothing else.
pub fn success() -> Reply {
    serde_json::json!({ "status": "SUCCESS" }).into()
}

#[derive(Clone)]
pub struct App {
    pub config: Arc<Config>,
    pub cognito: Client,
}

impl App {
    /// Reads the configuration and builds the Cognito client. Call once per container.
    pub async fn from_env() -> Result<App, ConfigError> {
        let config = Config::from_env()?;
        if config.paranoia_ignored {
            tracing::info!("PARANOIA is set and ignored: it had no effect in the original library either; randomness comes from the OS");
        }
        if std::env::var_os("LOG_SENSITIVE_BODIES").is_some() {
            // The SDK would then log request and response bodies: passwords, codes and tokens.
            tracing::warn!("LOG_SENSITIVE_BODIES is set: the AWS SDK will log secrets at TRACE level; unset it");
        }
        let cognito = crate::cognito::client(&config);
        Ok(App::new(config, cognito))
    }

    pub fn new(config: Config, cognito: Client) -> App {
        App {
            config: Arc::new(config),
            cognito,
        }
    }

    /// Runs `operation` for `request`. Never fails: every error becomes its JSON answer.
    pub async fn handle(&self, operation: Operation, mut request: ApiRequest) -> ApiResponse {
        let started = Instant::now();
        let config = &self.config;
        if request.method == Method::OPTIONS && !config.allowed_origins.is_empty() {
            return browser::preflight(config, &request.headers);
        }
        let result = if request.method != Operation::METHOD {
            Err(ApiError::MethodNotAllowed)
        } else if config.session_cookie {
            self.handle_in_cookie_mode(operation, &mut request).await
        } else {
            operations::dispatch(self, operation, &request).await
        };
        let mut response = match result {
            Ok(reply) => json_response(StatusCode::OK, &reply.body, reply.headers),
            Err(err) => error_response(&err),
        };
        let headers = response.headers_mut();
        for (name, value) in browser::cors_headers(config, &request.headers) {
            headers.append(name, value);
        }
        // Only the operation, status and duration: never a body, a header value or a username.
        tracing::info!(
            operation = operation.function_name(),
            status = response.status().as_u16(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "request handled"
        );
        response
    }

    /// Cookie mode: every route needs the CSRF proof and a JSON body; the refresh token comes from the
    /// cookie; and only a successful answer may set or clear the cookie.
    async fn handle_in_cookie_mode(
        &self,
        operation: Operation,
        request: &mut ApiRequest,
    ) -> Result<Reply, ApiError> {
        browser::check_request(&self.config, request)?;
        let source = browser::fill_refresh_token(operation, request)?;
        let mut reply = operations::dispatch(self, operation, request).await?;
        browser::update_session_cookie(&self.config, operation, source, &mut reply);
        Ok(reply)
    }
}

pub fn error_response(err: &ApiError) -> ApiResponse {
    let mut headers = Vec::new();
    if matches!(err, ApiError::TooManyRequests) {
        headers.push((RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECONDS)));
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
    let mut response = Response::new(body.to_string());
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
