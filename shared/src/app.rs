//! The one implementation behind both front doors (Lambda and the local server): an `App` holds the
//! configuration and the Cognito client, built once per container, and turns a request into a response.

use crate::browser;
use crate::cognito::Cognito;
use crate::config::{Config, ConfigError};
use crate::dispatch::dispatch;
use crate::error::ApiError;
use crate::http::{error_response, json_response, ApiRequest, ApiResponse, Reply};
use crate::limits::{client_ip, ClientContext, Limits, CONTEXT_DATA_HEADER};
use crate::routes::Operation;
use aws_sdk_cognitoidentityprovider::Client;
use http::{Method, StatusCode};
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone)]
pub struct App {
    pub cognito: Cognito,
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
        if config.allows_passwordless() && config.login_session_key.is_none() {
            // Decoy login sessions can then not be told from Cognito's at the next step (see
            // auth::passwordless): the first step still hides the account, the second may not.
            tracing::warn!("SIGN_IN_METHODS allows sign-in by code but neither LOGIN_SESSION_KEY nor a client secret is set: set LOGIN_SESSION_KEY");
        }
        if config.rate_limits.is_none() {
            tracing::warn!("RATE_LIMIT_TABLE is not set: this API runs without its abuse limits (code sends and guesses per account and per IP)");
        }
        let cognito = crate::cognito::client(&config);
        Ok(App::new(config, cognito))
    }

    /// The app over `client`, with the rate limits' store of the configuration (if any).
    pub fn new(config: Config, client: Client) -> App {
        let store = config.rate_limits.as_ref().map(crate::limits::store_client);
        App::with_store(config, client, store)
    }

    /// The app over `client` and, for the rate limits, `store` (tests give a mocked one).
    pub fn with_store(
        config: Config,
        client: Client,
        store: Option<aws_sdk_dynamodb::Client>,
    ) -> App {
        let limits = match (&config.rate_limits, store, &config.login_session_key) {
            (Some(settings), Some(store), Some(key)) => {
                Some(Arc::new(Limits::new(settings.clone(), store, key)))
            }
            _ => None,
        };
        let mut cognito = Cognito::new(config, client);
        cognito.limits = limits;
        App { cognito }
    }

    /// Runs `operation` for `request`. Never fails: every error becomes its JSON answer.
    pub async fn handle(&self, operation: Operation, mut request: ApiRequest) -> ApiResponse {
        let started = Instant::now();
        let config = &self.cognito.config;
        let caller = ClientContext {
            ip: client_ip(request.peer, &request.headers, &config.trusted_proxies),
            encoded_data: request
                .header(CONTEXT_DATA_HEADER)
                .filter(|data| !data.is_empty())
                .map(str::to_owned),
        };
        let cognito = self.cognito.for_client(caller);
        if request.method == Method::OPTIONS && !config.allowed_origins.is_empty() {
            return browser::preflight(config, &request.headers);
        }
        let result = if request.method != Operation::METHOD {
            Err(ApiError::MethodNotAllowed)
        } else if config.session_cookie {
            handle_in_cookie_mode(&cognito, operation, &mut request).await
        } else {
            dispatch(&cognito, operation, &request).await
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
}

/// Cookie mode: every route needs the CSRF proof and a JSON body; the refresh token comes from the
/// cookie; and only a successful answer may set or clear the cookie.
async fn handle_in_cookie_mode(
    cognito: &Cognito,
    operation: Operation,
    request: &mut ApiRequest,
) -> Result<Reply, ApiError> {
    browser::check_request(&cognito.config, request)?;
    let source = browser::fill_refresh_token(operation, request)?;
    let mut reply = dispatch(cognito, operation, request).await?;
    browser::update_session_cookie(&cognito.config, operation, source, &mut reply);
    Ok(reply)
}
