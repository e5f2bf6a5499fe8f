//! What the API reads of the user pool itself, so that its decoys are built from the same source as the
//! answers Cognito gives real users, never from a configuration that can drift from the pool:
//!
//! - the pool's WebAuthn settings (GetUserPoolMfaConfig `WebAuthnConfiguration`): the relying party and
//!   the user verification of every `PASSKEY` step, a real user's (Cognito's options) and a decoy alike;
//! - the pool's first factors (DescribeUserPool `Policies.SignInPolicy.AllowedFirstAuthFactors`): the
//!   methods a decoy `SELECT_METHOD` step lists, as Cognito's list for a real user is drawn from them;
//! - the length of the sessions Cognito hands out (observed), which a decoy session copies.
//!
//! Each setting is read once per container, when first needed, and kept; a failed read is not kept (the
//! next request tries again). A building block below `cognito` (whose `Cognito` holds the `PoolFacts`
//! and offers these reads to the operations): it imports no operation and not `cognito`.

use crate::config::Config;
use crate::error::{ApiError, CognitoFailure};
use crate::factors::FirstFactor;
use aws_sdk_cognitoidentityprovider::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cognitoidentityprovider::types::AuthFactorType;
use aws_sdk_cognitoidentityprovider::Client;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::sync::OnceCell;

/// The length of a decoy session before Cognito has handed out a real one in this container: that of
/// AWS's own published sample session (the InitiateAuth SOFTWARE_TOKEN_MFA example of the API reference,
/// 846 characters; a third-party capture is 780). Real lengths vary with the session's content, so from
/// the first real session on, the observed length is used instead.
pub const TYPICAL_SESSION_CHARS: usize = 846;

/// The pool settings of every `PASSKEY` step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasskeySettings {
    /// `rpId` of the credential request options.
    pub relying_party_id: String,
    /// `userVerification`: `required` or `preferred`.
    pub user_verification: String,
}

/// The kinds of session Cognito hands out whose length a decoy copies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionKind {
    /// SignUp's `Session` (a sign-up's `loginSession`).
    SignUp,
    /// A sign-in challenge's `Session` (InitiateAuth, RespondToAuthChallenge).
    Challenge,
}

/// Per container: what was read of the pool, and the observed session lengths.
#[derive(Debug, Default)]
pub struct PoolFacts {
    /// `None` inside: neither the pool nor a variable gives the settings (every passkey step is a 500).
    passkeys: OnceCell<Option<PasskeySettings>>,
    first_factors: OnceCell<Vec<FirstFactor>>,
    sign_up_session_chars: AtomicUsize,
    challenge_session_chars: AtomicUsize,
}

impl PoolFacts {
    /// Notes the length of a session Cognito handed out.
    pub fn observe_session(&self, kind: SessionKind, session: &str) {
        if !session.is_empty() {
            self.cell(kind).store(session.len(), Ordering::Relaxed);
        }
    }

    /// The length a decoy session of `kind` takes: the last real one's, else the typical length.
    pub fn session_chars(&self, kind: SessionKind) -> usize {
        match self.cell(kind).load(Ordering::Relaxed) {
            0 => TYPICAL_SESSION_CHARS,
            observed => observed,
        }
    }

    fn cell(&self, kind: SessionKind) -> &AtomicUsize {
        match kind {
            SessionKind::SignUp => &self.sign_up_session_chars,
            SessionKind::Challenge => &self.challenge_session_chars,
        }
    }
}

impl PoolFacts {
    /// The WebAuthn settings of every `PASSKEY` step, or `500 internal` (with one error line naming what
    /// is missing) when neither the pool nor PASSKEY_RELYING_PARTY_ID / PASSKEY_USER_VERIFICATION give
    /// them: a uniform failure for every username, never a decoy that differs from a real step.
    pub async fn passkey_settings(
        &self,
        client: &Client,
        config: &Config,
    ) -> Result<PasskeySettings, ApiError> {
        let settings = self
            .passkeys
            .get_or_try_init(|| async {
                let output = client
                    .get_user_pool_mfa_config()
                    .user_pool_id(&config.user_pool_id)
                    .send()
                    .await
                    .map_err(|err| read_failed("GetUserPoolMfaConfig", err))?;
                let pool = output.web_authn_configuration();
                Ok::<_, ApiError>(resolve_passkey_settings(
                    pool.and_then(|w| w.relying_party_id()),
                    pool.and_then(|w| w.user_verification())
                        .map(|uv| uv.as_str()),
                    config,
                ))
            })
            .await?;
        settings.clone().ok_or_else(|| {
            tracing::error!(
                "passkey sign-in is not configured: the user pool's WebAuthnConfiguration gives no RelyingPartyId or UserVerification, and PASSKEY_RELYING_PARTY_ID / PASSKEY_USER_VERIFICATION do not fill the gap"
            );
            ApiError::Internal
        })
    }

    /// The pool's first factors (AllowedFirstAuthFactors) as sign-in methods, in the pool's order.
    pub async fn first_factors(
        &self,
        client: &Client,
        config: &Config,
    ) -> Result<&[FirstFactor], ApiError> {
        let factors = self
            .first_factors
            .get_or_try_init(|| async {
                let output = client
                    .describe_user_pool()
                    .user_pool_id(&config.user_pool_id)
                    .send()
                    .await
                    .map_err(|err| read_failed("DescribeUserPool", err))?;
                let allowed = output
                    .user_pool()
                    .and_then(|pool| pool.policies())
                    .and_then(|policies| policies.sign_in_policy())
                    .map(|policy| policy.allowed_first_auth_factors())
                    .unwrap_or_default();
                Ok::<_, ApiError>(sign_in_methods(allowed))
            })
            .await?;
        Ok(factors)
    }
}

/// The pool's value where it has one; the variable only where the pool is silent (a pool whose relying
/// party is its domain has no RelyingPartyId). A variable that contradicts the pool would make the decoy
/// differ from Cognito's real step, so the pool wins and a warning names the variable.
pub fn resolve_passkey_settings(
    pool_relying_party: Option<&str>,
    pool_user_verification: Option<&str>,
    config: &Config,
) -> Option<PasskeySettings> {
    let pick = |pool: Option<&str>, variable: Option<&String>, name: &str| match (
        pool.filter(|v| !v.is_empty()),
        variable,
    ) {
        (Some(pool), Some(variable)) if pool != variable.as_str() => {
            tracing::warn!(
                    "{name} differs from the user pool's WebAuthn setting and is ignored: the pool's is used"
                );
            Some(pool.to_owned())
        }
        (Some(pool), _) => Some(pool.to_owned()),
        (None, variable) => variable.cloned(),
    };
    Some(PasskeySettings {
        relying_party_id: pick(
            pool_relying_party,
            config.passkey_relying_party_id.as_ref(),
            "PASSKEY_RELYING_PARTY_ID",
        )?,
        user_verification: pick(
            pool_user_verification,
            config.passkey_user_verification.as_ref(),
            "PASSKEY_USER_VERIFICATION",
        )?,
    })
}

/// AllowedFirstAuthFactors as sign-in methods; AWS's default (PASSWORD) where the pool lists none.
pub fn sign_in_methods(allowed: &[AuthFactorType]) -> Vec<FirstFactor> {
    let mut methods: Vec<FirstFactor> = Vec::new();
    for factor in allowed {
        if let Some(method) = FirstFactor::from_name(factor.as_str()) {
            if !methods.contains(&method) {
                methods.push(method);
            }
        }
    }
    if methods.is_empty() {
        methods.push(FirstFactor::Password);
    }
    methods
}

/// A read of the pool's configuration failed. Throttling and an unreachable Cognito keep their answers;
/// anything else (most likely the function's role lacks the permission) is the operator's to fix: a 500
/// with one error line naming the call, for every username alike.
fn read_failed<E, R>(operation: &'static str, err: SdkError<E, R>) -> ApiError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let failure = CognitoFailure::from_sdk(&err);
    let exception = failure.exception().unwrap_or("none").to_owned();
    match failure.into_api_error("") {
        err @ (ApiError::TooManyRequests { .. } | ApiError::UpstreamUnavailable) => {
            tracing::warn!(
                cognito_operation = operation,
                "reading the user pool's configuration failed"
            );
            err
        }
        _ => {
            tracing::error!(
                cognito_operation = operation,
                exception = %exception,
                "the user pool's configuration could not be read: the function needs cognito-idp:{operation} on the pool"
            );
            ApiError::Internal
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(vars: &[(&str, &str)]) -> Config {
        Config::from_lookup(|name| {
            [
                ("USER_POOL_ID", "us-east-1_x"),
                ("USER_POOL_CLIENT_ID", "c"),
            ]
            .iter()
            .chain(vars)
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
        })
        .unwrap()
    }

    fn settings(rp: &str, uv: &str) -> Option<PasskeySettings> {
        Some(PasskeySettings {
            relying_party_id: rp.into(),
            user_verification: uv.into(),
        })
    }

    #[test]
    fn the_pool_gives_the_passkey_settings_and_the_variables_fill_only_its_gaps() {
        let none = config(&[]);
        assert_eq!(
            resolve_passkey_settings(Some("example.com"), Some("required"), &none),
            settings("example.com", "required")
        );
        // Nothing from the pool or the variables: no settings (a 500 for everyone).
        assert_eq!(resolve_passkey_settings(None, None, &none), None);
        assert_eq!(
            resolve_passkey_settings(None, Some("required"), &none),
            None
        );
        let both = config(&[
            ("PASSKEY_RELYING_PARTY_ID", "app.example"),
            ("PASSKEY_USER_VERIFICATION", "preferred"),
        ]);
        // The pool is silent on the relying party (it uses its domain): the variable fills it.
        assert_eq!(
            resolve_passkey_settings(None, Some("required"), &both),
            settings("app.example", "required")
        );
        // A variable that contradicts the pool loses.
        assert_eq!(
            resolve_passkey_settings(Some("example.com"), Some("required"), &both),
            settings("example.com", "required")
        );
        assert_eq!(
            resolve_passkey_settings(None, None, &both),
            settings("app.example", "preferred")
        );
    }

    #[test]
    fn first_factors_follow_the_pool_with_aws_default() {
        assert_eq!(sign_in_methods(&[]), [FirstFactor::Password]);
        assert_eq!(
            sign_in_methods(&[
                AuthFactorType::WebAuthn,
                AuthFactorType::Password,
                AuthFactorType::EmailOtp,
            ]),
            [
                FirstFactor::WebAuthn,
                FirstFactor::Password,
                FirstFactor::EmailOtp
            ]
        );
    }

    #[test]
    fn decoy_lengths_follow_the_last_real_session() {
        let facts = PoolFacts::default();
        assert_eq!(
            facts.session_chars(SessionKind::SignUp),
            TYPICAL_SESSION_CHARS
        );
        facts.observe_session(SessionKind::SignUp, &"a".repeat(128));
        facts.observe_session(SessionKind::Challenge, "");
        assert_eq!(facts.session_chars(SessionKind::SignUp), 128);
        assert_eq!(
            facts.session_chars(SessionKind::Challenge),
            TYPICAL_SESSION_CHARS
        );
    }
}
