//! Who is calling: the one credential model of every authenticated route, written once.
//!
//! Accepted, in order: `Authorization: Bearer <accessToken>`; body `accessToken` (with `idToken` accepted
//! and ignored, as the original library took both); body `refreshToken` + `username`, exchanged for an
//! access token first (`username` is needed there only when the app client has a secret). A header always wins and never falls back to the body. Credentials are checked
//! before the rest of the body, so a revoked token gets 401 even when the body is also wrong.

use crate::app::{ApiRequest, App};
use crate::cognito::get_user;
use crate::error::ApiError;
use crate::input::Fields;
use crate::operations::session;
use crate::tokens::{now_epoch_seconds, unverified_claims};

/// The body fields that carry credentials; every authenticated route accepts them.
pub const FIELDS: [&str; 4] = ["accessToken", "idToken", "refreshToken", "username"];

pub const INVALID_TOKEN: &str = "The access token is missing, invalid, expired or revoked.";
const NO_CREDENTIALS: &str =
    "Credentials are required: send `Authorization: Bearer <accessToken>`, or `accessToken`, or `refreshToken` (with `username` when the app client has a secret).";

/// An access token that passed our local checks. `checked_by_cognito` says whether Cognito has already
/// accepted it (true when we just got it from a refresh).
#[derive(Debug)]
pub struct AccessToken {
    pub token: String,
    pub checked_by_cognito: bool,
}

enum Credential<'a> {
    Access(&'a str),
    Refresh {
        username: Option<&'a str>,
        refresh_token: &'a str,
    },
}

/// Authenticates the caller, then parses the rest of the body with `parse` (restricted to `own_fields`
/// plus the credential fields). When the body is wrong but the token has not been checked yet, the token
/// is checked first, so an invalid credential always reads as 401.
pub async fn authenticated<T>(
    app: &App,
    request: &ApiRequest,
    own_fields: &[&str],
    parse: impl FnOnce(&Fields) -> Result<T, ApiError>,
) -> Result<(AccessToken, T), ApiError> {
    authenticate(app, request, own_fields, parse, false).await
}

/// The credentials of /logout, which takes no other field. Unlike the other routes it may exchange a
/// refresh token with rotation on: the rotated token it gets back is revoked by the sign-out itself.
pub async fn authenticated_to_sign_out(
    app: &App,
    request: &ApiRequest,
) -> Result<(AccessToken, ()), ApiError> {
    authenticate(app, request, &[], |_| Ok(()), true).await
}

async fn authenticate<T>(
    app: &App,
    request: &ApiRequest,
    own_fields: &[&str],
    parse: impl FnOnce(&Fields) -> Result<T, ApiError>,
    signing_out: bool,
) -> Result<(AccessToken, T), ApiError> {
    let fields = Fields::parse_unrestricted(&request.body)?;
    let credential = credential(request, &fields)?;
    let token = match credential {
        Credential::Access(token) => {
            locally_valid(token)?;
            AccessToken {
                token: token.to_owned(),
                checked_by_cognito: false,
            }
        }
        Credential::Refresh { .. } if app.config.refresh_token_rotation && !signing_out => {
            // Exchanging it would rotate the caller's refresh token without giving them the new one.
            return Err(ApiError::invalid(
                "With refresh-token rotation on, send the access token (`Authorization: Bearer`); \
                 refresh it at /session/refresh.",
            ));
        }
        Credential::Refresh {
            username,
            refresh_token,
        } => {
            let result = session::refresh(app, username, refresh_token, INVALID_TOKEN).await?;
            let token = result
                .access_token()
                .ok_or(ApiError::UpstreamError)?
                .to_owned();
            AccessToken {
                token,
                checked_by_cognito: true,
            }
        }
    };
    let parsed = fields
        .restrict(&[&FIELDS[..], own_fields].concat())
        .and_then(|fields| {
            // Credential fields that were not used (a header won, say) must still be well-formed.
            for name in FIELDS {
                fields.optional_str(name)?;
            }
            parse(fields)
        });
    match parsed {
        Ok(value) => Ok((token, value)),
        Err(body_error) => {
            if !token.checked_by_cognito {
                ensure_accepted(app, &token.token).await?;
            }
            Err(body_error)
        }
    }
}

fn credential<'a>(request: &'a ApiRequest, fields: &'a Fields) -> Result<Credential<'a>, ApiError> {
    if let Some(header) = request.headers.get(http::header::AUTHORIZATION) {
        let token = header
            .to_str()
            .ok()
            .and_then(|value| {
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|token| !token.is_empty())
            .ok_or(ApiError::NotAuthorized(INVALID_TOKEN))?;
        return Ok(Credential::Access(token));
    }
    if let Some(token) = fields.optional_str("accessToken")? {
        return Ok(Credential::Access(token));
    }
    if let Some(refresh_token) = fields.optional_str("refreshToken")? {
        let username = fields.optional_username("username")?;
        return Ok(Credential::Refresh {
            username,
            refresh_token,
        });
    }
    Err(ApiError::NotAuthorized(NO_CREDENTIALS))
}

/// Refuses, without a network call, what cannot be a live access token: not a JWT, an ID or other token,
/// or past its `exp` (the original never checked caller-supplied tokens). Cognito checks the signature.
fn locally_valid(token: &str) -> Result<(), ApiError> {
    let claims = unverified_claims(token).ok_or(ApiError::NotAuthorized(INVALID_TOKEN))?;
    if claims
        .get("token_use")
        .and_then(|v| v.as_str())
        .is_some_and(|use_| use_ != "access")
    {
        return Err(ApiError::NotAuthorized(INVALID_TOKEN));
    }
    match claims.get("exp").and_then(|v| v.as_i64()) {
        Some(exp) if exp > now_epoch_seconds() => Ok(()),
        _ => Err(ApiError::NotAuthorized(INVALID_TOKEN)),
    }
}

/// Asks Cognito whether the token is live.
async fn ensure_accepted(app: &App, token: &str) -> Result<(), ApiError> {
    get_user(app, token).await.map(|_| ())
}

/// The signed-in user's internal username: the access token's `username` claim (use it only after
/// Cognito has accepted the token), or GetUser's answer when the claim is missing.
pub async fn username_of(app: &App, token: &str) -> Result<String, ApiError> {
    let claim =
        unverified_claims(token).and_then(|c| c.get("username")?.as_str().map(str::to_owned));
    match claim {
        Some(name) => Ok(name),
        None => Ok(get_user(app, token).await?.username),
    }
}
