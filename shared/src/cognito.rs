//! The handle every operation works through (`Cognito`: the configuration and the client, built once per
//! container) and the small helpers they share: SECRET_HASH, failure logging, GetUser, code deliveries.
//! A building block: it imports no operation, and nothing of the front doors.

use crate::aws::{environment_credentials, http_client};
use crate::config::Config;
use crate::error::{ApiError, CognitoFailure};
use crate::factors::FirstFactor;
use crate::limits::{ClientContext, Limits};
use crate::pool::{PasskeySettings, PoolFacts};
use crate::secret_hash::secret_hash;
use aws_sdk_cognitoidentityprovider::config::retry::RetryConfig;
use aws_sdk_cognitoidentityprovider::config::timeout::TimeoutConfig;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Region};
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::operation::get_user::GetUserOutput;
use aws_sdk_cognitoidentityprovider::types::UserContextDataType;
use aws_sdk_cognitoidentityprovider::types::{CodeDeliveryDetailsType, DeliveryMediumType};
use aws_sdk_cognitoidentityprovider::Client;
use serde::Serialize;
use std::sync::Arc;

/// What an operation calls Cognito with. Cheap to clone (three reference counts).
#[derive(Clone)]
pub struct Cognito {
    pub config: Arc<Config>,
    pub client: Client,
    /// What is read of the pool itself, once per container (shared by every clone).
    pub pool: Arc<PoolFacts>,
    /// The abuse limits, when RATE_LIMIT_TABLE is set (`limits`).
    pub limits: Option<Arc<Limits>>,
    /// Who is asking: set per request by `App::handle` (`for_client`).
    pub caller: ClientContext,
}

pub const INVALID_TOKEN: &str = "The access token is missing, invalid, expired or revoked.";

/// Builds the client with explicit bounds (see `Timeouts`), straight from the SDK's own config builder.
///
/// Not through aws-config: its loader reads profile files, probes credential providers and links STS,
/// SSO and IMDS clients, which cost cold-start time and binary size for nothing here. What we need of
/// it is small: the endpoint override (`endpoint_url`, from the SDK's standard variables) and, for the
/// one admin call (AdminGetUser, see `session::refresh`), the credentials Lambda puts in the environment.
/// Every other call is unsigned.
///
/// The HTTP client: TLS (rustls on ring, certificates verified against the system's root store) for an
/// `https` endpoint, which is every real Cognito endpoint. An explicit plain-`http` endpoint (the emulator,
/// a local stub) gets the same hyper client, timeouts and retries without a TLS layer: the SDK would
/// otherwise read and parse the whole system CA store at client construction (every cold start) for
/// connections that never use it. A URL of any other scheme keeps the TLS client (and fails as before).
pub fn client(config: &Config) -> Client {
    let mut builder = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .http_client(http_client(config.endpoint_url.as_deref()))
        .region(Region::new(config.region.clone()))
        .timeout_config(timeout_config(config))
        .retry_config(RetryConfig::standard().with_max_attempts(config.timeouts.max_attempts));
    if let Some(endpoint) = &config.endpoint_url {
        builder = builder.endpoint_url(endpoint);
    }
    if let Some(credentials) = environment_credentials() {
        builder = builder.credentials_provider(credentials);
    }
    Client::from_conf(builder.build())
}

pub fn timeout_config(config: &Config) -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(config.timeouts.connect)
        .read_timeout(config.timeouts.attempt)
        .operation_attempt_timeout(config.timeouts.attempt)
        .operation_timeout(config.timeouts.operation)
        .build()
}

impl Cognito {
    pub fn new(config: Config, client: Client) -> Cognito {
        Cognito {
            config: Arc::new(config),
            client,
            pool: Arc::default(),
            limits: None,
            caller: ClientContext::default(),
        }
    }

    /// This handle for one request from `caller`.
    pub fn for_client(&self, caller: ClientContext) -> Cognito {
        Cognito {
            caller,
            ..self.clone()
        }
    }

    /// `UserContextData` for the calls that take it (sign-up, confirmation, code resends, password
    /// reset, sign-in): the browser's encoded device data when it sent some, and the client's IP where
    /// PASS_CLIENT_IP_TO_COGNITO allows (the app client must have EnablePropagateAdditionalUserContextData:
    /// what AWS does with an IP from a client without it is not documented, so it is not sent then).
    pub fn user_context_data(&self) -> Option<UserContextDataType> {
        let ip = self
            .caller
            .ip
            .filter(|_| self.config.pass_client_ip)
            .map(|ip| ip.to_string());
        if ip.is_none() && self.caller.encoded_data.is_none() {
            return None;
        }
        Some(
            UserContextDataType::builder()
                .set_ip_address(ip)
                .set_encoded_data(self.caller.encoded_data.clone())
                .build(),
        )
    }

    /// Before a code is sent for `account`: the code-sending limits (no-op without RATE_LIMIT_TABLE).
    pub async fn limit_code(
        &self,
        account: &str,
        medium: crate::limits::Medium,
    ) -> Result<(), ApiError> {
        match &self.limits {
            Some(limits) => limits.before_code(&self.caller, account, medium).await,
            None => Ok(()),
        }
    }

    /// Before a secret of `account` is checked: the guessing limits.
    pub async fn limit_guess(&self, account: &str) -> Result<(), ApiError> {
        match &self.limits {
            Some(limits) => limits.before_guess(&self.caller, account).await,
            None => Ok(()),
        }
    }

    /// Before a password sign-in (a guess that may make Cognito send an MFA code).
    pub async fn limit_password(&self, account: &str) -> Result<(), ApiError> {
        match &self.limits {
            Some(limits) => limits.before_password(&self.caller, account).await,
            None => Ok(()),
        }
    }

    /// After Cognito sent a code the API could not foresee (see `Limits::after_code`).
    pub async fn count_code(&self, account: &str, sms: bool, whole: bool) {
        if let Some(limits) = &self.limits {
            if sms || whole {
                limits.after_code(&self.caller, account, sms, whole).await;
            }
        }
    }

    /// The pool's WebAuthn settings (see `pool`), read once per container.
    pub async fn passkey_settings(&self) -> Result<PasskeySettings, ApiError> {
        self.pool.passkey_settings(&self.client, &self.config).await
    }

    /// The pool's first factors (see `pool`), read once per container.
    pub async fn first_factors(&self) -> Result<&[FirstFactor], ApiError> {
        self.pool.first_factors(&self.client, &self.config).await
    }

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
pub async fn get_user(cx: &Cognito, access_token: &str) -> Result<GetUserOutput, ApiError> {
    cx.client
        .get_user()
        .access_token(access_token)
        .send()
        .await
        .map_err(|err| failure("GetUser", err).into_api_error(INVALID_TOKEN))
}

/// The signed-in user's internal username: the access token's `username` claim (use it only after
/// Cognito has accepted the token), or GetUser's answer when the claim is missing.
pub async fn username_of(cx: &Cognito, token: &str) -> Result<String, ApiError> {
    let claim = crate::tokens::unverified_claims(token)
        .and_then(|c| c.get("username")?.as_str().map(str::to_owned));
    match claim {
        Some(name) => Ok(name),
        None => Ok(get_user(cx, token).await?.username),
    }
}

/// Where Cognito sent a code: `{destination, deliveryMedium, attributeName}`, the destination masked as
/// Cognito gives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CodeDelivery {
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub destination: Option<String>,
    /// `EMAIL` or `SMS`.
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub delivery_medium: Option<String>,
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub attribute_name: Option<String>,
}

impl From<&CodeDeliveryDetailsType> for CodeDelivery {
    fn from(d: &CodeDeliveryDetailsType) -> CodeDelivery {
        CodeDelivery {
            destination: d.destination().map(str::to_owned),
            delivery_medium: d.delivery_medium().map(|m| m.as_str().to_owned()),
            attribute_name: d.attribute_name().map(str::to_owned),
        }
    }
}

/// Whether Cognito says it sent the code by SMS.
pub fn sent_by_sms(details: Option<&CodeDeliveryDetailsType>) -> bool {
    details.and_then(|d| d.delivery_medium()) == Some(&DeliveryMediumType::Sms)
}

/// Cognito's optional CodeDeliveryDetails in our shape.
pub fn delivery(details: Option<&CodeDeliveryDetailsType>) -> Option<CodeDelivery> {
    details.map(CodeDelivery::from)
}
