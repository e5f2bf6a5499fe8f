//! The Cognito client and the small helpers every operation shares: SECRET_HASH, failure logging.

use crate::app::App;
use crate::config::Config;
use crate::credentials::INVALID_TOKEN;
use crate::error::{ApiError, CognitoFailure};
use crate::secret_hash::secret_hash;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::get_user::GetUserOutput;
use aws_sdk_cognitoidentityprovider::types::CodeDeliveryDetailsType;
use aws_sdk_cognitoidentityprovider::Client;
use serde_json::{json, Value};

/// Builds the client with explicit bounds (see `Timeouts`). The endpoint comes from the SDK's standard
/// `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER` / `AWS_ENDPOINT_URL`, which aws-config reads; credentials
/// from the default chain, needed only for the one admin call (see `session::refresh`).
pub async fn client(config: &Config) -> Client {
    let sdk = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(config.region.clone()))
        .timeout_config(timeout_config(config))
        .retry_config(RetryConfig::standard().with_max_attempts(config.timeouts.max_attempts))
        .load()
        .await;
    Client::new(&sdk)
}

pub fn timeout_config(config: &Config) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(config.timeouts.connect)
        .read_timeout(config.timeouts.attempt)
        .operation_attempt_timeout(config.timeouts.attempt)
        .operation_timeout(config.timeouts.operation)
        .build()
}

impl App {
    /// SECRET_HASH for `username`, when the client has a secret.
    pub fn secret_hash(&self, username: &str) -> Option<String> {
        self.config
            .client_secret
            .as_deref()
            .map(|secret| secret_hash(secret, username, &self.config.client_id))
    }

    pub fn client_id(&self) -> &str {
        &self.config.client_id
    }
}

/// Classifies a failed call and logs it by exception name only (Cognito's messages can carry usernames).
pub fn failure<E, R>(operation: &'static str, err: SdkError<E, R>) -> CognitoFailure
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let failure = CognitoFailure::from_sdk(&err);
    match &failure {
        CognitoFailure::Exception(name) => {
            tracing::info!(cognito_operation = operation, exception = %name, "Cognito refused the call")
        }
        other => {
            tracing::warn!(cognito_operation = operation, failure = ?other, "Cognito call failed")
        }
    }
    failure
}

/// GetUser for an access token: the user's attributes and MFA settings, and the cheapest call that
/// proves the token is live.
pub async fn get_user(app: &App, access_token: &str) -> Result<GetUserOutput, ApiError> {
    app.cognito
        .get_user()
        .access_token(access_token)
        .send()
        .await
        .map_err(|err| failure("GetUser", err).into_api_error(INVALID_TOKEN))
}

/// Cognito's CodeDeliveryDetails in our shape: `{destination, deliveryMedium, attributeName}`.
pub fn delivery(details: Option<&CodeDeliveryDetailsType>) -> Value {
    match details {
        None => Value::Null,
        Some(d) => json!({
            "destination": d.destination(),
            "deliveryMedium": d.delivery_medium().map(|m| m.as_str()),
            "attributeName": d.attribute_name(),
        }),
    }
}
