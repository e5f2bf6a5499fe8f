//! The boundary: each operation's handler with its declared request type and whether it needs the
//! caller's credentials. The body is parsed here, once, into that type, and credentials are resolved
//! here, once (before the rest of the body, so a bad credential is a 401 even when the body is also
//! wrong); handlers only ever see validated values.

use crate::body;
use crate::cognito::Cognito;
use crate::credentials::{authenticate, AccessToken, Rotation};
use crate::error::ApiError;
use crate::http::{ApiRequest, Reply};
use crate::operations::{account, login, mfa, passkeys, password, profile, session, signup, totp};
use crate::routes::Operation;
use http::HeaderMap;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// A body's fields, before they become a request type.
type Fields = serde_json::Map<String, serde_json::Value>;

pub async fn dispatch(
    cx: &Cognito,
    operation: Operation,
    request: &ApiRequest,
) -> Result<Reply, ApiError> {
    use Operation as Op;
    let fields = body::parse_object(&request.body)?;
    // The TOTP routes' login form: `loginSession` in the body and no `Authorization` header.
    let in_login = !request.headers.contains_key(http::header::AUTHORIZATION)
        && fields.contains_key("loginSession");
    let headers = &request.headers;
    match operation {
        Op::Signup => public(cx, fields, signup::signup).await,
        Op::SignupConfirm => public(cx, fields, signup::confirm).await,
        Op::SignupResend => public(cx, fields, signup::resend).await,
        Op::Login => public(cx, fields, login::login).await,
        Op::LoginMfa => public(cx, fields, login::mfa).await,
        Op::LoginNewPassword => public(cx, fields, login::new_password).await,
        Op::LoginSelect => public(cx, fields, login::select).await,
        Op::LoginOtp => public(cx, fields, login::otp).await,
        Op::SessionRefresh => public(cx, fields, session::refresh_route).await,
        Op::SessionRevoke => public(cx, fields, session::revoke).await,
        Op::PasswordForgot => public(cx, fields, password::forgot).await,
        Op::PasswordReset => public(cx, fields, password::reset).await,
        // A refresh token may be exchanged to sign out even with rotation on: the sign-out revokes it.
        Op::Logout => signed_in(cx, headers, fields, Rotation::Allow, session::logout).await,
        Op::MfaGet => signed_in(cx, headers, fields, Rotation::Refuse, mfa::get).await,
        Op::MfaSet => signed_in(cx, headers, fields, Rotation::Refuse, mfa::set).await,
        Op::ProfileGet => signed_in(cx, headers, fields, Rotation::Refuse, profile::get).await,
        Op::ProfileEdit => signed_in(cx, headers, fields, Rotation::Refuse, profile::edit).await,
        Op::ProfilePhone => signed_in(cx, headers, fields, Rotation::Refuse, profile::phone).await,
        Op::ProfileAttributeSendCode => {
            signed_in(cx, headers, fields, Rotation::Refuse, profile::send_code).await
        }
        Op::ProfileAttributeConfirm => {
            signed_in(
                cx,
                headers,
                fields,
                Rotation::Refuse,
                profile::confirm_attribute,
            )
            .await
        }
        Op::PasswordChange => {
            signed_in(cx, headers, fields, Rotation::Refuse, password::change).await
        }
        Op::LoginPasskey => public(cx, fields, login::passkey).await,
        Op::PasskeysRegisterStart => {
            signed_in(
                cx,
                headers,
                fields,
                Rotation::Refuse,
                passkeys::register_start,
            )
            .await
        }
        Op::PasskeysRegisterComplete => {
            signed_in(
                cx,
                headers,
                fields,
                Rotation::Refuse,
                passkeys::register_complete,
            )
            .await
        }
        Op::PasskeysList => signed_in(cx, headers, fields, Rotation::Refuse, passkeys::list).await,
        Op::PasskeysDelete => {
            signed_in(cx, headers, fields, Rotation::Refuse, passkeys::delete).await
        }
        Op::AccountFactors => {
            signed_in(cx, headers, fields, Rotation::Refuse, account::factors).await
        }
        Op::AccountDelete => {
            signed_in(cx, headers, fields, Rotation::Refuse, account::delete).await
        }
        Op::MfaTotpSetup => {
            if in_login {
                public(cx, fields, totp::setup_in_login).await
            } else {
                signed_in(cx, headers, fields, Rotation::Refuse, totp::setup).await
            }
        }
        Op::MfaTotpVerify => {
            if in_login {
                public(cx, fields, totp::verify_in_login).await
            } else {
                signed_in(cx, headers, fields, Rotation::Refuse, totp::verify).await
            }
        }
    }
}

/// A route without credentials: the body is the request.
async fn public<Request: DeserializeOwned, Response: Serialize>(
    cx: &Cognito,
    fields: Fields,
    handler: impl AsyncFnOnce(&Cognito, Request) -> Result<Response, ApiError>,
) -> Result<Reply, ApiError> {
    let parsed = body::from_map(fields)?;
    Reply::json(&handler(cx, parsed).await?)
}

/// A 🔑 route: the caller's credentials first, then the rest of the body as the request.
async fn signed_in<Request: DeserializeOwned, Response: Serialize>(
    cx: &Cognito,
    headers: &HeaderMap,
    fields: Fields,
    rotation: Rotation,
    handler: impl AsyncFnOnce(&Cognito, AccessToken, Request) -> Result<Response, ApiError>,
) -> Result<Reply, ApiError> {
    let (caller, parsed) = authenticate(cx, headers, fields, rotation).await?;
    Reply::json(&handler(cx, caller, parsed).await?)
}
