//! One module per family of routes; `dispatch` sends each operation to its handler.

pub mod account;
pub mod login;
pub mod mfa;
pub mod password;
pub mod profile;
pub mod session;
pub mod signup;
pub mod totp;

use crate::app::{ApiRequest, App, Reply};
use crate::error::ApiError;
use crate::routes::Operation;

pub async fn dispatch(
    app: &App,
    operation: Operation,
    request: &ApiRequest,
) -> Result<Reply, ApiError> {
    match operation {
        Operation::Signup => signup::signup(app, request).await,
        Operation::SignupConfirm => signup::confirm(app, request).await,
        Operation::SignupResend => signup::resend(app, request).await,
        Operation::Login => login::login(app, request).await,
        Operation::LoginMfa => login::mfa(app, request).await,
        Operation::LoginNewPassword => login::new_password(app, request).await,
        Operation::SessionRefresh => session::refresh_route(app, request).await,
        Operation::Logout => session::logout(app, request).await,
        Operation::MfaGet => mfa::get(app, request).await,
        Operation::MfaSet => mfa::set(app, request).await,
        Operation::ProfileGet => profile::get(app, request).await,
        Operation::ProfileEdit => profile::edit(app, request).await,
        Operation::ProfilePhone => profile::phone(app, request).await,
        Operation::ProfileAttributeConfirm => profile::confirm_attribute(app, request).await,
        Operation::PasswordChange => password::change(app, request).await,
        Operation::PasswordForgot => password::forgot(app, request).await,
        Operation::PasswordReset => password::reset(app, request).await,
        Operation::MfaTotpSetup => totp::setup(app, request).await,
        Operation::MfaTotpVerify => totp::verify(app, request).await,
        Operation::ProfileAttributeSendCode => profile::send_code(app, request).await,
        Operation::AccountDelete => account::delete(app, request).await,
        Operation::SessionRevoke => session::revoke(app, request).await,
    }
}
