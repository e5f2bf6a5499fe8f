//! Configuration, read once per container from the environment, failing fast with a message that names the
//! variable. Pure: `Config::from_lookup` takes any lookup function, so it is tested without touching the
//! process environment.

use crate::factors::FirstFactor;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginFlow {
    /// The password goes to Cognito over TLS (the default; needs ALLOW_USER_PASSWORD_AUTH on the client).
    UserPassword,
    /// Secure Remote Password: the password never leaves this process (needs ALLOW_USER_SRP_AUTH).
    UserSrp,
    /// Choice-based sign-in with the password preferred, in one call (needs ALLOW_USER_AUTH).
    UserAuth,
}

#[derive(Clone, PartialEq, Eq)]
pub struct Config {
    pub user_pool_id: String,
    pub client_id: String,
    /// Present when the app client has a secret: every call that takes one then sends SECRET_HASH.
    pub client_secret: Option<String>,
    pub region: String,
    /// A Cognito endpoint other than AWS's (a local emulator): `AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER`,
    /// else `AWS_ENDPOINT_URL`, the SDKs' standard variables; ignored with
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true`.
    pub endpoint_url: Option<String>,
    pub login_flow: LoginFlow,
    /// Refresh with GetTokensFromRefreshToken, which returns a new refresh token when the app client has
    /// refresh-token rotation enabled (REFRESH_TOKEN_AUTH is refused by such clients).
    pub refresh_token_rotation: bool,
    pub totp_issuer: String,
    pub timeouts: Timeouts,
    /// Answer a duplicate sign-up like a fresh one (no enumeration through /signup).
    pub hide_existing_users: bool,
    /// Browser mode: the refresh token lives in a `__Host-` cookie and state-changing routes need CSRF proof.
    pub session_cookie: bool,
    /// Exact origins allowed by CORS (and, in cookie mode, by the CSRF check).
    pub allowed_origins: Vec<String>,
    /// `Max-Age` of the refresh-token cookie.
    pub refresh_token_validity: Duration,
    /// `PARANOIA` / `Paranoia` was set: accepted for compatibility with the original library, ignored.
    pub paranoia_ignored: bool,
    /// SIGN_IN_METHODS: the first factors the pool allows (default PASSWORD only).
    pub sign_in_methods: Vec<FirstFactor>,
    /// LOGIN_SESSION_KEY (else the client secret): the key that marks the API's decoy login sessions,
    /// so that they can be told from Cognito's without anyone else telling them apart.
    pub login_session_key: Option<String>,
    /// PASSKEY_REGISTRATION_MAX_AGE_SECONDS: how recent a sign-in (the access token's `auth_time`) must be
    /// to add a passkey, so that a stolen access token is not enough to plant one.
    pub passkey_registration_max_age: Duration,
    /// PASSKEY_RELYING_PARTY_ID: the passkey relying party where the pool's WebAuthnConfiguration has
    /// none (a pool whose relying party is its domain). The pool's own value always wins (`pool`).
    pub passkey_relying_party_id: Option<String>,
    /// PASSKEY_USER_VERIFICATION: `preferred` or `required`, where the pool's WebAuthnConfiguration has
    /// none. The pool's own value always wins (`pool`).
    pub passkey_user_verification: Option<String>,
    /// RATE_LIMIT_TABLE and the limits (`limits`); `None` without the table: no limits.
    pub rate_limits: Option<RateLimits>,
    /// TRUSTED_PROXIES: addresses of proxies in front of the API whose `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// PASS_CLIENT_IP_TO_COGNITO: send the client's IP as `UserContextData.IpAddress` (the app client
    /// needs EnablePropagateAdditionalUserContextData, which needs a client secret).
    pub pass_client_ip: bool,
}

/// The abuse limits: where they are kept, and each rule's allowance (0 turns a rule off).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimits {
    /// RATE_LIMIT_TABLE: the DynamoDB table of the counters.
    pub table: String,
    /// The store's region (the API's) and endpoint (`AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`,
    /// the SDKs' standard variables: a local emulator).
    pub region: String,
    pub endpoint_url: Option<String>,
    /// Code sends per account in 60 s (RATE_LIMIT_CODE_SENDS_PER_ACCOUNT_MINUTE, default 1).
    pub code_sends_per_account_minute: u32,
    /// Code sends per account in an hour (RATE_LIMIT_CODE_SENDS_PER_ACCOUNT_HOUR, default 5).
    pub code_sends_per_account_hour: u32,
    /// Code sends per client IP in 5 minutes (RATE_LIMIT_CODE_SENDS_PER_IP, default 30).
    pub code_sends_per_ip: u32,
    /// SMS sends of the whole deployment in an hour (RATE_LIMIT_SMS_PER_HOUR, default 100).
    pub sms_per_hour: u32,
    /// Guesses (a password or a code checked) per account in 5 minutes (RATE_LIMIT_GUESSES_PER_ACCOUNT,
    /// default 10).
    pub guesses_per_account: u32,
    /// Guesses per client IP in 5 minutes (RATE_LIMIT_GUESSES_PER_IP, default 100).
    pub guesses_per_ip: u32,
    /// The bound on each store call (RATE_LIMIT_TIMEOUT_MS, default 300).
    pub timeout: Duration,
}

impl Config {
    /// Whether the pool signs in without a password too (a code or a passkey: USER_AUTH).
    pub fn allows_passwordless(&self) -> bool {
        self.sign_in_methods
            .iter()
            .any(|m| *m != FirstFactor::Password)
    }
}

// The client secret must never reach a log line, even through `{:?}`.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("user_pool_id", &self.user_pool_id)
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("region", &self.region)
            .field("endpoint_url", &self.endpoint_url)
            .field("login_flow", &self.login_flow)
            .field("timeouts", &self.timeouts)
            .field("session_cookie", &self.session_cookie)
            .field("sign_in_methods", &self.sign_in_methods)
            .field(
                "login_session_key",
                &self.login_session_key.as_ref().map(|_| "<redacted>"),
            )
            .finish_non_exhaustive()
    }
}

/// Bounds on every Cognito call. The SDK has no read timeout by default: a hung Cognito would hang the
/// function until Lambda kills it, so each bound is explicit and well under API Gateway's 29 s.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timeouts {
    pub connect: Duration,
    /// One attempt (connect + request + response).
    pub attempt: Duration,
    /// All attempts of one call, retries and back-off included.
    pub operation: Duration,
    pub max_attempts: u32,
}

impl Default for Timeouts {
    fn default() -> Self {
        // Two sequential calls (refresh, then the operation) still answer within 10 s when Cognito hangs.
        Timeouts {
            connect: Duration::from_millis(1000),
            attempt: Duration::from_millis(3000),
            operation: Duration::from_millis(4500),
            max_attempts: 3,
        }
    }
}

#[derive(thiserror::Error, PartialEq, Eq)]
#[error("configuration error: {0}")]
pub struct ConfigError(String);

impl ConfigError {
    pub(crate) fn new(message: String) -> ConfigError {
        ConfigError(message)
    }
}

// `main` returning this error prints its Debug form: make that the plain sentence too.
impl std::fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Display::fmt(self, f)
    }
}

impl Config {
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        // An empty variable is treated as unset: SAM passes empty parameters as "".
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let required =
            |name: &str| get(name).ok_or_else(|| ConfigError(format!("{name} is not set")));

        let user_pool_id = required("USER_POOL_ID")?;
        let (pool_region, pool_suffix) = user_pool_id.split_once('_').unwrap_or(("", ""));
        if pool_region.is_empty() || pool_suffix.is_empty() {
            return Err(ConfigError(format!(
                "USER_POOL_ID must look like <region>_<id> (e.g. us-east-1_AbC123), got {user_pool_id:?}"
            )));
        }
        let client_id = required("USER_POOL_CLIENT_ID")?;
        let region = get("AWS_REGION")
            .or_else(|| get("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| pool_region.to_owned());
        let endpoint_url = match flag(&get, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")? {
            true => None,
            false => get("AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER")
                .or_else(|| get("AWS_ENDPOINT_URL")),
        };
        if let Some(url) = &endpoint_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError(format!(
                    "the Cognito endpoint must be an http(s) URL, got {url:?}"
                )));
            }
        }
        let login_flow = match get("LOGIN_FLOW").as_deref() {
            None | Some("USER_PASSWORD_AUTH") => LoginFlow::UserPassword,
            Some("USER_SRP_AUTH") => LoginFlow::UserSrp,
            Some("USER_AUTH") => LoginFlow::UserAuth,
            Some(other) => {
                return Err(ConfigError(format!(
                "LOGIN_FLOW must be USER_PASSWORD_AUTH, USER_SRP_AUTH or USER_AUTH, got {other:?}"
            )))
            }
        };
        let sign_in_methods = match get("SIGN_IN_METHODS") {
            None => vec![FirstFactor::Password],
            Some(list) => {
                let mut methods = Vec::new();
                for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
                    let method = FirstFactor::from_name(name).ok_or_else(|| {
                        ConfigError(format!(
                            "SIGN_IN_METHODS lists PASSWORD, EMAIL_OTP, SMS_OTP or WEB_AUTHN, got {name:?}"
                        ))
                    })?;
                    if !methods.contains(&method) {
                        methods.push(method);
                    }
                }
                if methods.is_empty() {
                    return Err(ConfigError(
                        "SIGN_IN_METHODS must list at least one method".into(),
                    ));
                }
                methods
            }
        };
        let client_secret = get("USER_POOL_CLIENT_SECRET");
        let defaults = Timeouts::default();
        let timeouts = Timeouts {
            connect: millis(&get, "COGNITO_CONNECT_TIMEOUT_MS", defaults.connect)?,
            attempt: millis(&get, "COGNITO_ATTEMPT_TIMEOUT_MS", defaults.attempt)?,
            operation: millis(&get, "COGNITO_OPERATION_TIMEOUT_MS", defaults.operation)?,
            max_attempts: number(&get, "COGNITO_MAX_ATTEMPTS", defaults.max_attempts)?,
        };
        if timeouts.max_attempts == 0 {
            return Err(ConfigError(
                "COGNITO_MAX_ATTEMPTS must be at least 1".into(),
            ));
        }
        let refresh_days = number(&get, "REFRESH_TOKEN_VALIDITY_DAYS", 30u32)?;
        let rate_limits = match get("RATE_LIMIT_TABLE") {
            None => None,
            Some(table) => Some(RateLimits {
                table,
                region: region.clone(),
                endpoint_url: match flag(&get, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")? {
                    true => None,
                    false => get("AWS_ENDPOINT_URL_DYNAMODB").or_else(|| get("AWS_ENDPOINT_URL")),
                },
                code_sends_per_account_minute: number(
                    &get,
                    "RATE_LIMIT_CODE_SENDS_PER_ACCOUNT_MINUTE",
                    1,
                )?,
                code_sends_per_account_hour: number(
                    &get,
                    "RATE_LIMIT_CODE_SENDS_PER_ACCOUNT_HOUR",
                    5,
                )?,
                code_sends_per_ip: number(&get, "RATE_LIMIT_CODE_SENDS_PER_IP", 30)?,
                sms_per_hour: number(&get, "RATE_LIMIT_SMS_PER_HOUR", 100)?,
                guesses_per_account: number(&get, "RATE_LIMIT_GUESSES_PER_ACCOUNT", 10)?,
                guesses_per_ip: number(&get, "RATE_LIMIT_GUESSES_PER_IP", 100)?,
                timeout: millis(&get, "RATE_LIMIT_TIMEOUT_MS", Duration::from_millis(300))?,
            }),
        };
        let login_session_key = get("LOGIN_SESSION_KEY").or_else(|| client_secret.clone());
        if rate_limits.is_some() && login_session_key.is_none() {
            // The account keys are an HMAC under this key: without one they would be a plain hash of
            // the username, which anyone can compute.
            return Err(ConfigError(
                "RATE_LIMIT_TABLE needs LOGIN_SESSION_KEY (or a client secret): the key of the account counters".into(),
            ));
        }
        let mut trusted_proxies = Vec::new();
        for item in get("TRUSTED_PROXIES").unwrap_or_default().split(',') {
            let item = item.trim();
            if item.is_empty() {
                continue;
            }
            trusted_proxies.push(item.parse().map_err(|_| {
                ConfigError(format!("TRUSTED_PROXIES lists IP addresses, got {item:?}"))
            })?);
        }
        Ok(Config {
            user_pool_id,
            client_id,
            login_session_key,
            rate_limits,
            trusted_proxies,
            pass_client_ip: flag(&get, "PASS_CLIENT_IP_TO_COGNITO")?,
            passkey_registration_max_age: Duration::from_secs(number(
                &get,
                "PASSKEY_REGISTRATION_MAX_AGE_SECONDS",
                300u64,
            )?),
            passkey_relying_party_id: get("PASSKEY_RELYING_PARTY_ID"),
            passkey_user_verification: match get("PASSKEY_USER_VERIFICATION").as_deref() {
                None => None,
                Some(uv @ ("preferred" | "required")) => Some(uv.to_owned()),
                Some(other) => {
                    return Err(ConfigError(format!(
                        "PASSKEY_USER_VERIFICATION must be preferred or required, got {other:?}"
                    )))
                }
            },
            client_secret,
            sign_in_methods,
            region,
            endpoint_url,
            login_flow,
            refresh_token_rotation: flag(&get, "REFRESH_TOKEN_ROTATION")?,
            totp_issuer: get("TOTP_ISSUER").unwrap_or_else(|| "cognito-user-pool-rs".to_owned()),
            timeouts,
            hide_existing_users: flag(&get, "HIDE_EXISTING_USERS")?,
            session_cookie: flag(&get, "SESSION_COOKIE")?,
            allowed_origins: get("ALLOWED_ORIGINS")
                .map(|list| {
                    list.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_owned())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            refresh_token_validity: Duration::from_secs(u64::from(refresh_days) * 86_400),
            paranoia_ignored: get("PARANOIA").is_some() || get("Paranoia").is_some(),
        })
    }
}

fn number<T: std::str::FromStr>(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: T,
) -> Result<T, ConfigError> {
    match get(name) {
        None => Ok(default),
        Some(raw) => raw
            .parse()
            .map_err(|_| ConfigError(format!("{name} must be a whole number, got {raw:?}"))),
    }
}

fn millis(
    get: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: Duration,
) -> Result<Duration, ConfigError> {
    let ms = number(get, name, default.as_millis() as u64)?;
    if ms == 0 {
        return Err(ConfigError(format!("{name} must be greater than 0")));
    }
    Ok(Duration::from_millis(ms))
}

fn flag(get: &impl Fn(&str) -> Option<String>, name: &str) -> Result<bool, ConfigError> {
    match get(name).map(|v| v.to_ascii_lowercase()).as_deref() {
        None | Some("false") | Some("0") => Ok(false),
        Some("true") | Some("1") => Ok(true),
        Some(other) => Err(ConfigError(format!(
            "{name} must be true or false, got {other:?}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|k| map.get(k).cloned())
    }

    const BASE: [(&str, &str); 2] = [
        ("USER_POOL_ID", "eu-west-1_AbC123"),
        ("USER_POOL_CLIENT_ID", "client"),
    ];

    #[test]
    fn minimal_config_uses_defaults_and_the_pool_region() {
        let c = config(&BASE).unwrap();
        assert_eq!(c.region, "eu-west-1");
        assert_eq!(c.client_secret, None);
        assert_eq!(c.login_flow, LoginFlow::UserPassword);
        assert_eq!(c.timeouts, Timeouts::default());
        assert!(!c.paranoia_ignored && !c.session_cookie && !c.hide_existing_users);
    }

    #[test]
    fn missing_or_malformed_variables_are_named() {
        assert_eq!(
            config(&[]).unwrap_err().to_string(),
            "configuration error: USER_POOL_ID is not set"
        );
        let err = config(&[
            ("USER_POOL_ID", "nounderscore"),
            ("USER_POOL_CLIENT_ID", "c"),
        ])
        .unwrap_err();
        assert!(err.to_string().contains("USER_POOL_ID must look like"));
        let err = config(&[BASE[0]]).unwrap_err();
        assert!(err.to_string().contains("USER_POOL_CLIENT_ID"));
        let err = config(&[BASE[0], BASE[1], ("LOGIN_FLOW", "CUSTOM")]).unwrap_err();
        assert!(err.to_string().contains("LOGIN_FLOW"));
        let err = config(&[BASE[0], BASE[1], ("COGNITO_ATTEMPT_TIMEOUT_MS", "soon")]).unwrap_err();
        assert!(err.to_string().contains("COGNITO_ATTEMPT_TIMEOUT_MS"));
        let err = config(&[BASE[0], BASE[1], ("SESSION_COOKIE", "yes")]).unwrap_err();
        assert!(err.to_string().contains("SESSION_COOKIE"));
    }

    #[test]
    fn optional_settings_are_read() {
        let c = config(&[
            BASE[0],
            BASE[1],
            ("USER_POOL_CLIENT_SECRET", "s3cr3t"),
            ("AWS_REGION", "us-east-1"),
            ("Paranoia", "7"),
            ("ALLOWED_ORIGINS", "https://a.example, https://b.example/"),
            ("SESSION_COOKIE", "true"),
            ("LOGIN_FLOW", "USER_SRP_AUTH"),
            ("REFRESH_TOKEN_ROTATION", "true"),
        ])
        .unwrap();
        assert_eq!(c.client_secret.as_deref(), Some("s3cr3t"));
        assert_eq!(c.region, "us-east-1");
        assert!(c.paranoia_ignored);
        assert_eq!(
            c.allowed_origins,
            ["https://a.example", "https://b.example"]
        );
        assert!(c.session_cookie);
        assert_eq!(c.login_flow, LoginFlow::UserSrp);
        assert!(c.refresh_token_rotation);
        assert!(!format!("{c:?}").contains("s3cr3t"));
    }

    #[test]
    fn the_endpoint_follows_the_sdk_variables() {
        let c = config(&[BASE[0], BASE[1], ("AWS_ENDPOINT_URL", "http://127.0.0.1:1")]).unwrap();
        assert_eq!(c.endpoint_url.as_deref(), Some("http://127.0.0.1:1"));
        let c = config(&[
            BASE[0],
            BASE[1],
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:1"),
            (
                "AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER",
                "http://127.0.0.1:2",
            ),
        ])
        .unwrap();
        assert_eq!(c.endpoint_url.as_deref(), Some("http://127.0.0.1:2"));
        let c = config(&[
            BASE[0],
            BASE[1],
            ("AWS_ENDPOINT_URL", "http://x"),
            ("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"),
        ]);
        assert_eq!(c.unwrap().endpoint_url, None);
        let err = config(&[BASE[0], BASE[1], ("AWS_ENDPOINT_URL", "localhost:4566")]).unwrap_err();
        assert!(err.to_string().contains("http(s) URL"));
        assert_eq!(config(&BASE).unwrap().endpoint_url, None);
    }

    #[test]
    fn empty_values_count_as_unset() {
        let c = config(&[
            BASE[0],
            BASE[1],
            ("USER_POOL_CLIENT_SECRET", ""),
            ("PARANOIA", " "),
        ])
        .unwrap();
        assert_eq!(c.client_secret, None);
        assert!(!c.paranoia_ignored);
    }
}
