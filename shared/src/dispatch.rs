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

/// The handler table: each operation's handler (two for the TOTP routes: the login form and the signed-in
/// form) and whether it needs credentials. `dispatch` runs it; `describe` reads the same lines for the
/// OpenAPI document, so the document's request and response types are the handlers' own.
macro_rules! handlers {
    ($($op:ident => $form:ident($($arg:expr),+);)+) => {
        pub async fn dispatch(
            cx: &Cognito,
            operation: Operation,
            request: &ApiRequest,
        ) -> Result<Reply, ApiError> {
            let fields = body::parse_object(&request.body)?;
            let forms = Forms { cx, headers: &request.headers, fields };
            match operation {
                $(Operation::$op => forms.$form($($arg),+).await,)+
            }
        }

        /// What the OpenAPI document needs of an operation's handlers: each form's request and
        /// response type, and whether it takes credentials.
        #[cfg(feature = "openapi")]
        pub fn describe(operation: Operation, to: &mut impl Describe) {
            match operation {
                $(Operation::$op => describe::$form(to, $($arg),+),)+
            }
        }
    };
}

handlers! {
    Signup => public(signup::signup);
    SignupConfirm => public(signup::confirm);
    SignupResend => public(signup::resend);
    Login => public(login::login);
    LoginMfa => public(login::mfa);
    LoginNewPassword => public(login::new_password);
    LoginSelect => public(login::select);
    LoginOtp => public(login::otp);
    LoginPasskey => public(login::passkey);
    SessionRefresh => public(session::refresh_route);
    SessionRevoke => public(session::revoke);
    PasswordForgot => public(password::forgot);
    PasswordReset => public(password::reset);
    // A refresh token may be exchanged to sign out even with rotation on: the sign-out revokes it.
    Logout => signed_in(Rotation::Allow, session::logout);
    MfaGet => signed_in(Rotation::Refuse, mfa::get);
    MfaSet => signed_in(Rotation::Refuse, mfa::set);
    ProfileGet => signed_in(Rotation::Refuse, profile::get);
    ProfileEdit => signed_in(Rotation::Refuse, profile::edit);
    ProfilePhone => signed_in(Rotation::Refuse, profile::phone);
    ProfileAttributeSendCode => signed_in(Rotation::Refuse, profile::send_code);
    ProfileAttributeConfirm => signed_in(Rotation::Refuse, profile::confirm_attribute);
    PasswordChange => signed_in(Rotation::Refuse, password::change);
    AccountDelete => signed_in(Rotation::Refuse, account::delete);
    AccountFactors => signed_in(Rotation::Refuse, account::factors);
    PasskeysRegisterStart => signed_in(Rotation::Refuse, passkeys::register_start);
    PasskeysRegisterComplete => signed_in(Rotation::Refuse, passkeys::register_complete);
    PasskeysList => signed_in(Rotation::Refuse, passkeys::list);
    PasskeysDelete => signed_in(Rotation::Refuse, passkeys::delete);
    MfaTotpSetup => login_form_or_signed_in(totp::setup_in_login, Rotation::Refuse, totp::setup);
    MfaTotpVerify => login_form_or_signed_in(totp::verify_in_login, Rotation::Refuse, totp::verify);
}

/// One request on its way to a handler.
struct Forms<'a> {
    cx: &'a Cognito,
    headers: &'a HeaderMap,
    fields: Fields,
}

impl Forms<'_> {
    async fn public<Request: DeserializeOwned, Response: Serialize>(
        self,
        handler: impl AsyncFnOnce(&Cognito, Request) -> Result<Response, ApiError>,
    ) -> Result<Reply, ApiError> {
        public(self.cx, self.fields, handler).await
    }

    async fn signed_in<Request: DeserializeOwned, Response: Serialize>(
        self,
        rotation: Rotation,
        handler: impl AsyncFnOnce(&Cognito, AccessToken, Request) -> Result<Response, ApiError>,
    ) -> Result<Reply, ApiError> {
        signed_in(self.cx, self.headers, self.fields, rotation, handler).await
    }

    /// The TOTP routes: the login form is `loginSession` in the body and no `Authorization` header.
    async fn login_form_or_signed_in<
        LoginRequest: DeserializeOwned,
        LoginResponse: Serialize,
        Request: DeserializeOwned,
        Response: Serialize,
    >(
        self,
        in_login: impl AsyncFnOnce(&Cognito, LoginRequest) -> Result<LoginResponse, ApiError>,
        rotation: Rotation,
        handler: impl AsyncFnOnce(&Cognito, AccessToken, Request) -> Result<Response, ApiError>,
    ) -> Result<Reply, ApiError> {
        if !self.headers.contains_key(http::header::AUTHORIZATION)
            && self.fields.contains_key("loginSession")
        {
            public(self.cx, self.fields, in_login).await
        } else {
            signed_in(self.cx, self.headers, self.fields, rotation, handler).await
        }
    }
}

/// What `describe` tells: one call per form of an operation's body.
#[cfg(feature = "openapi")]
pub trait Describe {
    /// A form of the body: `Request` (plus the body credentials when `credentials`), answered with
    /// `Response`.
    fn form<Request: utoipa::ToSchema, Response: utoipa::ToSchema>(&mut self, credentials: bool);
}

/// The `describe` side of each form of the handler table: the handler's types, nothing run.
#[cfg(feature = "openapi")]
mod describe {
    use super::{AccessToken, ApiError, Cognito, Describe, Rotation};
    use utoipa::ToSchema;

    pub fn public<Request: ToSchema, Response: ToSchema>(
        to: &mut impl Describe,
        _: impl AsyncFnOnce(&Cognito, Request) -> Result<Response, ApiError>,
    ) {
        to.form::<Request, Response>(false);
    }

    pub fn signed_in<Request: ToSchema, Response: ToSchema>(
        to: &mut impl Describe,
        _: Rotation,
        _: impl AsyncFnOnce(&Cognito, AccessToken, Request) -> Result<Response, ApiError>,
    ) {
        to.form::<Request, Response>(true);
    }

    pub fn login_form_or_signed_in<
        LoginRequest: ToSchema,
        LoginResponse: ToSchema,
        Request: ToSchema,
        Response: ToSchema,
    >(
        to: &mut impl Describe,
        in_login: impl AsyncFnOnce(&Cognito, LoginRequest) -> Result<LoginResponse, ApiError>,
        rotation: Rotation,
        handler: impl AsyncFnOnce(&Cognito, AccessToken, Request) -> Result<Response, ApiError>,
    ) {
        signed_in(to, rotation, handler);
        public(to, in_login);
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
