//! Who is calling: the one credential model of every authenticated route, applied once at the boundary
//! (`dispatch`), never by an operation.
//!
//! Accepted, in order: `Authorization: Bearer <accessToken>`; body `accessToken` (with `idToken` accepted
//! and ignored, as the original library took both); body `refreshToken`, exchanged for an access token
//! first (`username` is needed there only when the app client has a secret). A header always wins and
//! never falls back to the body. Credentials are checked before the rest of the body, so a revoked token
//! gets 401 even when the body is also wrong.

use crate::auth::refresh::refresh;
use crate::body;
use crate::cognito::{get_user, Cognito, INVALID_TOKEN};
use crate::error::ApiError;
use crate::tokens::{now_epoch_seconds, unverified_claims};
use crate::values::{Token, Username};
use http::HeaderMap;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{Map, Value};

/// The body fields that carry credentials; every authenticated route accepts them.
pub const FIELDS: [&str; 4] = ["accessToken", "idToken", "refreshToken", "username"];

const NO_CREDENTIALS: &str =
    "Credentials are required: send `Authorization: Bearer <accessToken>`, or `accessToken`, or `refreshToken` (with `username` when the app client has a secret).";

/// The caller's access token, after our local checks. `checked_by_cognito` says whether Cognito has
/// already accepted it (true when we just got it from a refresh).
#[derive(Debug)]
pub struct AccessToken {
    pub token: String,
    pub checked_by_cognito: bool,
}

impl AccessToken {
    /// The account the token names, for the rate limits: its `username` claim (else `sub`, else the
    /// token itself). Not verified here; a forged name only spends that name's allowance, as a wrong
    /// password sent with it would.
    pub fn account(&self) -> String {
        crate::tokens::unverified_claims(&self.token)
            .and_then(|claims| {
                let name = claims.get("username").or_else(|| claims.get("sub"))?;
                name.as_str().map(str::to_owned)
            })
            .unwrap_or_else(|| self.token.clone())
    }
}

/// The credential fields of a body (`FIELDS`). All are checked for form even when unused. Public for
/// the OpenAPI document, which adds them to the body of every 🔑 route.
#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct BodyCredentials {
    /// A Cognito access token (instead of `Authorization: Bearer`).
    access_token: Option<Token>,
    /// Accepted and ignored (the original library took it with `accessToken`).
    #[allow(dead_code)]
    id_token: Option<Token>,
    /// Exchanged for an access token (when there is no `accessToken`).
    refresh_token: Option<Token>,
    /// With `refreshToken`: the username (or alias) it belongs to; needed only when the app client has a
    /// secret.
    username: Option<Username>,
}

enum Credential<'a> {
    Access(&'a str),
    Refresh {
        username: Option<&'a str>,
        refresh_token: &'a str,
    },
}

/// What the refresh-token credential form may do with refresh-token rotation on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rotation {
    /// Refused: exchanging would rotate the caller's token without giving them the new one.
    Refuse,
    /// Allowed (/logout): the rotated token is revoked by the sign-out itself.
    Allow,
}

/// Authenticates the caller from `headers` and the credential fields of `fields`, then deserialises the
/// rest of the body as `T`. When the body is wrong but the token has not been checked yet, the token is
/// checked first, so an invalid credential always reads as 401.
pub async fn authenticate<T: DeserializeOwned>(
    cx: &Cognito,
    headers: &HeaderMap,
    mut fields: Map<String, Value>,
    rotation: Rotation,
) -> Result<(AccessToken, T), ApiError> {
    let credential_fields: Map<String, Value> = FIELDS
        .iter()
        .filter_map(|name| fields.remove_entry(*name))
        .collect();
    let body_credentials = body::from_map::<BodyCredentials>(credential_fields);
    let token = match credential(headers, &body_credentials)? {
        Credential::Access(token) => {
            locally_valid(token)?;
            AccessToken {
                token: token.to_owned(),
                checked_by_cognito: false,
            }
        }
        Credential::Refresh { .. }
            if cx.config.refresh_token_rotation && rotation == Rotation::Refuse =>
        {
            return Err(ApiError::invalid(
                "With refresh-token rotation on, send the access token (`Authorization: Bearer`); \
                 refresh it at /session/refresh.",
            ));
        }
        Credential::Refresh {
            username,
            refresh_token,
        } => {
            let result = refresh(cx, username, refresh_token, INVALID_TOKEN).await?;
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
    // Credential fields that were not used (a header won, say) must still be well-formed.
    let parsed = body_credentials.and_then(|_| body::from_map::<T>(fields));
    match parsed {
        Ok(value) => Ok((token, value)),
        Err(body_error) => {
            if !token.checked_by_cognito {
                get_user(cx, &token.token).await?;
            }
            Err(body_error)
        }
    }
}

fn credential<'a>(
    headers: &'a HeaderMap,
    body: &'a Result<BodyCredentials, ApiError>,
) -> Result<Credential<'a>, ApiError> {
    if let Some(header) = headers.get(http::header::AUTHORIZATION) {
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
    let body = body.as_ref().map_err(Clone::clone)?;
    if let Some(token) = &body.access_token {
        return Ok(Credential::Access(token.as_str()));
    }
    if let Some(refresh_token) = &body.refresh_token {
        return Ok(Credential::Refresh {
            username: body.username.as_ref().map(Username::as_str),
            refresh_token: refresh_token.as_str(),
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
