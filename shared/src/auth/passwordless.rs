//! Choice-based sign-in (InitiateAuth `USER_AUTH`): the calls, and the two things the API keeps in a
//! `loginSession` of its own.
//!
//! - **Which code was sent.** /login/otp has no `method` field, so an `OTP_CODE` step's `loginSession` is
//!   `EMAIL_OTP~<Cognito's Session>` or `SMS_OTP~<...>`; the app sends it back unchanged.
//! - **Decoys.** Where answering truthfully would tell whether an account exists or has a method (an
//!   unknown username under `PreventUserExistenceErrors=LEGACY`, a method the user cannot use, a duplicate
//!   sign-up hidden by HIDE_EXISTING_USERS), the API answers with a decoy session: random, of the length
//!   of a real one (`pool::PoolFacts::session_chars`), carrying a MAC under LOGIN_SESSION_KEY (else the
//!   client secret) that only the API can check. Without any key, decoys cannot be recognised, and a
//!   decoy then reads as an expired session (401) at the next step: the first step still reveals nothing
//!   (a warning is logged at start).
//! - **A decoy costs what the truth costs.** Answering a decoy at once would be faster than the real
//!   answer by a round trip to Cognito, which a remote caller measures. So each step taken with a decoy
//!   makes the very call its real twin makes, with the decoy as the session (Cognito refuses it: no
//!   account is touched), and maps the refusal to the real twin's answer. Only a failure that does not
//!   depend on the account (throttling, Cognito unreachable) shows as it is, as it would for anyone.
//!
//!   | decoy path                                   | real twin                                     | the call both make                         | the answer both give                 |
//!   |----------------------------------------------|-----------------------------------------------|--------------------------------------------|--------------------------------------|
//!   | `/login/otp` with a decoy `OTP_CODE` session | a wrong code at a real `OTP_CODE` step        | RespondToAuthChallenge EMAIL_OTP / SMS_OTP | 400 `code_mismatch`                  |
//!   | `/login/passkey` with a decoy `PASSKEY` step | a failed assertion at a real `PASSKEY` step   | RespondToAuthChallenge WEB_AUTHN           | 401 `not_authorized`                 |
//!   | `/login/select` PASSWORD, decoy session      | a wrong password at a real `SELECT_METHOD`    | RespondToAuthChallenge SELECT_CHALLENGE    | 401 `not_authorized`                 |
//!   | `/login/select` a code method, decoy session | the method a real user lacks                  | RespondToAuthChallenge SELECT_CHALLENGE    | a decoy `OTP_CODE` step              |
//!   | `/login/select` WEB_AUTHN, decoy session     | a real user without a passkey                 | RespondToAuthChallenge SELECT_CHALLENGE    | a decoy `PASSKEY` step               |
//!   | `/signup/confirm` with a hidden duplicate's `loginSession` | a wrong code for a fresh sign-up | ConfirmSignUp (with the session)          | 400 `code_mismatch`                  |
//!   | `/login` with `method`, no such account/method | an account with that method                 | InitiateAuth USER_AUTH                     | an `OTP_CODE` / `PASSKEY` step       |
//!   | `/login` without `method`, no such account   | an account                                    | InitiateAuth USER_AUTH                     | a `SELECT_METHOD` step               |
//!   | `/signup` of an existing username (HIDE_EXISTING_USERS) | a fresh sign-up                    | SignUp                                     | 200, a sign-up's keys                |

use crate::cognito::{failure, Cognito};
use crate::error::ApiError;
use crate::factors::FirstFactor;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Between the method and Cognito's session in an OTP step's `loginSession`.
const SEPARATOR: char = '~';

/// Random bytes, then the first bytes of their MAC: what makes a decoy recognisable.
const NONCE_BYTES: usize = 18;
const TAG_BYTES: usize = 18;

/// InitiateAuth USER_AUTH. `preferred` and `password` as Cognito takes them (AuthParameters
/// PREFERRED_CHALLENGE and PASSWORD); `session`: the Session of a confirmed sign-up.
pub async fn initiate(
    cx: &Cognito,
    username: &str,
    preferred: Option<&str>,
    password: Option<&str>,
    session: Option<&str>,
    not_authorized: &'static str,
) -> Result<InitiateAuthOutput, ApiError> {
    let mut call = cx
        .client
        .initiate_auth()
        .client_id(cx.client_id())
        .auth_flow(AuthFlowType::UserAuth)
        .auth_parameters("USERNAME", username)
        .set_session(session.map(str::to_owned))
        .set_user_context_data(cx.user_context_data());
    if let Some(preferred) = preferred {
        call = call.auth_parameters("PREFERRED_CHALLENGE", preferred);
    }
    if let Some(password) = password {
        call = call.auth_parameters("PASSWORD", password);
    }
    if let Some(hash) = cx.secret_hash(username) {
        call = call.auth_parameters("SECRET_HASH", hash);
    }
    call.send()
        .await
        .map_err(|err| failure("InitiateAuth", err).into_api_error(not_authorized))
}

/// The two code first factors (EMAIL_OTP, SMS_OTP), with what their challenge needs; on the wire they
/// are `FirstFactor`s.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtpMethod {
    Email,
    Sms,
}

impl OtpMethod {
    /// Cognito's name (its first factor's).
    pub fn as_str(self) -> &'static str {
        self.factor().as_str()
    }

    pub fn challenge(self) -> ChallengeNameType {
        match self {
            OtpMethod::Email => ChallengeNameType::EmailOtp,
            OtpMethod::Sms => ChallengeNameType::SmsOtp,
        }
    }

    /// The challenge response that carries the code.
    pub fn code_parameter(self) -> &'static str {
        match self {
            OtpMethod::Email => "EMAIL_OTP_CODE",
            OtpMethod::Sms => "SMS_OTP_CODE",
        }
    }

    /// How its code travels (for the rate limits).
    pub fn medium(self) -> crate::limits::Medium {
        match self {
            OtpMethod::Email => crate::limits::Medium::Email,
            OtpMethod::Sms => crate::limits::Medium::Sms,
        }
    }

    /// The first factor it is.
    pub fn factor(self) -> FirstFactor {
        match self {
            OtpMethod::Email => FirstFactor::EmailOtp,
            OtpMethod::Sms => FirstFactor::SmsOtp,
        }
    }
}

/// An OTP step's `loginSession`: which code was sent, and the session to answer it with.
pub fn otp_session(method: OtpMethod, session: &str) -> String {
    format!("{}{SEPARATOR}{session}", method.as_str())
}

/// What a `loginSession` the app sent back stands for, told apart once (with the key: see `parse`), so
/// that each step's decoy and OTP rules are one exhaustive `match` rather than checks of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginSession<'a> {
    /// Cognito's session, as Cognito gave it (or, without a key, anything the API cannot tell from one).
    Cognito(&'a str),
    /// One of the API's dead decoys: it is sent to Cognito like a real one (which refuses it), and the
    /// step answers as its real twin does.
    Decoy(&'a str),
    /// A sign-up's session the API made up where Cognito gave none: confirming with it only confirms.
    ConfirmOnly(&'a str),
    /// An `OTP_CODE` step's: which code was sent, the session to answer it with, whether that is a
    /// decoy, and the whole text (what any other step sends on).
    Otp {
        method: OtpMethod,
        session: &'a str,
        decoy: bool,
        whole: &'a str,
    },
}

impl<'a> LoginSession<'a> {
    pub fn parse(cx: &Cognito, login_session: &'a str) -> LoginSession<'a> {
        if let Some((method, session)) = parse_otp_session(login_session) {
            return LoginSession::Otp {
                method,
                session,
                decoy: is_made_up(cx, Decoy::Dead, session),
                whole: login_session,
            };
        }
        if is_made_up(cx, Decoy::Dead, login_session) {
            LoginSession::Decoy(login_session)
        } else if is_made_up(cx, Decoy::ConfirmOnly, login_session) {
            LoginSession::ConfirmOnly(login_session)
        } else {
            LoginSession::Cognito(login_session)
        }
    }

    /// The session as the app sent it: what a step other than `OTP_CODE`'s sends to Cognito.
    pub fn as_sent(&self) -> &'a str {
        match *self {
            LoginSession::Cognito(text)
            | LoginSession::Decoy(text)
            | LoginSession::ConfirmOnly(text)
            | LoginSession::Otp { whole: text, .. } => text,
        }
    }
}

/// The method and session of an OTP step's `loginSession`, or `None` when it is not one.
fn parse_otp_session(login_session: &str) -> Option<(OtpMethod, &str)> {
    let (method, session) = login_session.split_once(SEPARATOR)?;
    let method = match method {
        "EMAIL_OTP" => OtpMethod::Email,
        "SMS_OTP" => OtpMethod::Sms,
        _ => return None,
    };
    (!session.is_empty()).then_some((method, session))
}

/// What a session the API made up stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decoy {
    /// Leads nowhere: no code, password or passkey satisfies it.
    Dead,
    /// A sign-up's `loginSession` where Cognito gave none: /signup/confirm confirms without signing in.
    ConfirmOnly,
}

impl Decoy {
    fn label(self) -> &'static [u8] {
        match self {
            Decoy::Dead => b"cognito-user-pool-rs decoy login session",
            Decoy::ConfirmOnly => b"cognito-user-pool-rs confirm-only sign-up session",
        }
    }
}

fn tag(key: &str, kind: Decoy, nonce: &[u8]) -> [u8; TAG_BYTES] {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(key.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(kind.label());
    mac.update(nonce);
    let full = mac.finalize().into_bytes();
    let mut out = [0u8; TAG_BYTES];
    out.copy_from_slice(&full[..TAG_BYTES]);
    out
}

/// A dead decoy session of about `chars` characters (base64url, like a real one's length).
pub fn decoy_session(cx: &Cognito, chars: usize) -> String {
    made_up_session(cx, Decoy::Dead, chars)
}

/// A made-up session of `kind`, of about `chars` characters.
pub fn made_up_session(cx: &Cognito, kind: Decoy, chars: usize) -> String {
    let bytes = (chars * 3 / 4).max(NONCE_BYTES + TAG_BYTES);
    let mut raw = vec![0u8; bytes];
    getrandom::fill(&mut raw).expect("the OS random source is available");
    if let Some(key) = &cx.config.login_session_key {
        let tag = tag(key, kind, &raw[..NONCE_BYTES]);
        raw[NONCE_BYTES..NONCE_BYTES + TAG_BYTES].copy_from_slice(&tag);
    }
    URL_SAFE_NO_PAD.encode(raw)
}

/// A made-up passkey credential id for `username`: stable (a keyed hash, so the same username always
/// gets the same one) and nobody's. Without a key, random each time.
pub fn decoy_credential_id(cx: &Cognito, username: &str) -> String {
    match &cx.config.login_session_key {
        Some(key) => {
            let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes())
                .expect("HMAC takes keys of any length");
            mac.update(b"cognito-user-pool-rs decoy passkey credential id");
            mac.update(username.as_bytes());
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        }
        None => {
            let mut raw = [0u8; 32];
            getrandom::fill(&mut raw).expect("the OS random source is available");
            URL_SAFE_NO_PAD.encode(raw)
        }
    }
}

/// Refusals that depend on the account (unknown, unconfirmed, no such method...), which the passwordless
/// steps must not show. Throttling and Cognito being down still show.
pub fn reveals_the_account(err: &ApiError) -> bool {
    match err {
        ApiError::NotAuthorized(_)
        | ApiError::UserNotConfirmed
        | ApiError::PasswordResetRequired
        | ApiError::CodeMismatch
        | ApiError::ExpiredCode
        | ApiError::MfaNotSetUp(_)
        | ApiError::UnsupportedChallenge(_) => true,
        ApiError::InvalidRequest(_) | ApiError::Internal => {
            // Also what Cognito says when the client lacks ALLOW_USER_AUTH: say so to the operator.
            tracing::warn!("Cognito refused a passwordless step: check ALLOW_USER_AUTH on the app client and the pool's sign-in methods");
            true
        }
        _ => false,
    }
}

/// What Cognito made of a decoy session sent on like a real one (see "A decoy costs what the truth
/// costs"): `Ok` whatever it made of it, so that the caller answers as its real twin, unless the call
/// failed in a way that does not depend on the account (throttling, Cognito unreachable), which shows as
/// it would for anyone.
pub fn decoy_refused<T>(answer: Result<T, ApiError>) -> Result<(), ApiError> {
    match answer {
        Ok(_) => Ok(()),
        Err(err) if reveals_the_account(&err) => Ok(()),
        Err(err) => Err(err),
    }
}

/// Whether `session` is one the API made up as `kind` (never true without a key).
fn is_made_up(cx: &Cognito, kind: Decoy, session: &str) -> bool {
    let Some(key) = &cx.config.login_session_key else {
        return false;
    };
    let prefix_chars = (NONCE_BYTES + TAG_BYTES) * 4 / 3;
    let Some(prefix) = session.get(..prefix_chars) else {
        return false;
    };
    let Ok(raw) = URL_SAFE_NO_PAD.decode(prefix) else {
        return false;
    };
    let expected = tag(key, kind, &raw[..NONCE_BYTES]);
    // Constant-time enough for a tag over random bytes: compare every byte.
    expected
        .iter()
        .zip(&raw[NONCE_BYTES..NONCE_BYTES + TAG_BYTES])
        .fold(0u8, |diff, (a, b)| diff | (a ^ b))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;

    fn cx(key: Option<&str>) -> Cognito {
        let config = Config::from_lookup(|k| match k {
            "USER_POOL_ID" => Some("us-east-1_x".into()),
            "USER_POOL_CLIENT_ID" => Some("c".into()),
            "LOGIN_SESSION_KEY" => key.map(str::to_owned),
            _ => None,
        })
        .unwrap();
        let client = crate::cognito::client(&config);
        Cognito::new(config, client)
    }

    #[test]
    fn decoys_are_recognised_only_with_their_key() {
        let with_key = cx(Some("k1"));
        let decoy = decoy_session(&with_key, 920);
        assert!((900..=940).contains(&decoy.len()), "{}", decoy.len());
        assert_eq!(
            LoginSession::parse(&with_key, &decoy),
            LoginSession::Decoy(&decoy)
        );
        for other_key in [cx(Some("k2")), cx(None)] {
            assert_eq!(
                LoginSession::parse(&other_key, &decoy),
                LoginSession::Cognito(&decoy)
            );
        }
        // A real-looking session is not a decoy.
        let real = URL_SAFE_NO_PAD.encode([7u8; 700]);
        assert_eq!(
            LoginSession::parse(&with_key, &real),
            LoginSession::Cognito(&real)
        );
        assert_eq!(
            LoginSession::parse(&with_key, "short"),
            LoginSession::Cognito("short")
        );
        // The kinds are told apart.
        let confirm_only = made_up_session(&with_key, Decoy::ConfirmOnly, 920);
        assert_eq!(
            LoginSession::parse(&with_key, &confirm_only),
            LoginSession::ConfirmOnly(&confirm_only)
        );
        // An OTP step's, over a decoy and over Cognito's.
        let otp_decoy = otp_session(OtpMethod::Email, &decoy);
        assert_eq!(
            LoginSession::parse(&with_key, &otp_decoy),
            LoginSession::Otp {
                method: OtpMethod::Email,
                session: &decoy,
                decoy: true,
                whole: &otp_decoy
            }
        );
        let otp_real = otp_session(OtpMethod::Sms, &real);
        let parsed = LoginSession::parse(&with_key, &otp_real);
        assert!(matches!(parsed, LoginSession::Otp { decoy: false, .. }));
        assert_eq!(parsed.as_sent(), otp_real);
    }

    #[test]
    fn otp_sessions_round_trip() {
        let s = otp_session(OtpMethod::Sms, "AYAB~x");
        assert_eq!(parse_otp_session(&s), Some((OtpMethod::Sms, "AYAB~x")));
        assert_eq!(parse_otp_session("AYABsession"), None);
        assert_eq!(parse_otp_session("PASSWORD~x"), None);
        assert_eq!(parse_otp_session("EMAIL_OTP~"), None);
    }
}
