//! The route table: every operation, its HTTP path and its Lambda function name. The local server routes
//! with it, each Lambda function finds its operation in it (its `ROUTE` is the path), and the template / OpenAPI tests compare
//! `template.yaml` and the OpenAPI document against it (the document is generated from it), so a route cannot be added in one place only.

use http::Method;

macro_rules! operations {
    ($($variant:ident => $path:literal, $function:literal;)+) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation { $($variant),+ }

        impl Operation {
            pub const ALL: &'static [Operation] = &[$(Operation::$variant),+];

            /// The HTTP path, the same behind API Gateway and on the local server.
            pub fn path(self) -> &'static str {
                match self { $(Operation::$variant => $path),+ }
            }

            /// The function's name: its template.yaml resource (`login-mfa` -> `LoginMfaFunction`) and its
            /// event file (`events/login-mfa.json`).
            pub fn function_name(self) -> &'static str {
                match self { $(Operation::$variant => $function),+ }
            }
        }
    };
}

operations! {
    Signup => "/signup", "signup";
    SignupConfirm => "/signup/confirm", "signup-confirm";
    SignupResend => "/signup/resend", "signup-resend";
    Login => "/login", "login";
    LoginMfa => "/login/mfa", "login-mfa";
    LoginNewPassword => "/login/new-password", "login-new-password";
    LoginSelect => "/login/select", "login-select";
    LoginOtp => "/login/otp", "login-otp";
    SessionRefresh => "/session/refresh", "session-refresh";
    Logout => "/logout", "logout";
    MfaGet => "/mfa/get", "mfa-get";
    MfaSet => "/mfa/set", "mfa-set";
    ProfileGet => "/profile/get", "profile-get";
    ProfileEdit => "/profile/edit", "profile-edit";
    ProfilePhone => "/profile/phone", "profile-phone";
    ProfileAttributeConfirm => "/profile/attribute/confirm", "profile-attribute-confirm";
    PasswordChange => "/password/change", "password-change";
    PasswordForgot => "/password/forgot", "password-forgot";
    PasswordReset => "/password/reset", "password-reset";
    MfaTotpSetup => "/mfa/totp/setup", "mfa-totp-setup";
    MfaTotpVerify => "/mfa/totp/verify", "mfa-totp-verify";
    ProfileAttributeSendCode => "/profile/attribute/send-code", "profile-attribute-send-code";
    AccountDelete => "/account/delete", "account-delete";
    SessionRevoke => "/session/revoke", "session-revoke";
    AccountFactors => "/account/factors", "account-factors";
    LoginPasskey => "/login/passkey", "login-passkey";
    PasskeysRegisterStart => "/passkeys/register/start", "passkeys-register-start";
    PasskeysRegisterComplete => "/passkeys/register/complete", "passkeys-register-complete";
    PasskeysList => "/passkeys/list", "passkeys-list";
    PasskeysDelete => "/passkeys/delete", "passkeys-delete";
}

impl Operation {
    /// Every route is POST.
    pub const METHOD: Method = Method::POST;

    pub fn from_path(path: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|op| op.path() == path)
    }

    pub fn from_function_name(name: &str) -> Option<Operation> {
        Operation::ALL
            .iter()
            .copied()
            .find(|op| op.function_name() == name)
    }

    /// Routes that take the caller's credentials (see `credentials`). The TOTP routes also have a
    /// login-challenge form without credentials.
    pub fn is_authenticated(self) -> bool {
        matches!(
            self,
            Operation::Logout
                | Operation::MfaGet
                | Operation::MfaSet
                | Operation::ProfileGet
                | Operation::ProfileEdit
                | Operation::ProfilePhone
                | Operation::ProfileAttributeConfirm
                | Operation::ProfileAttributeSendCode
                | Operation::PasswordChange
                | Operation::MfaTotpSetup
                | Operation::MfaTotpVerify
                | Operation::AccountDelete
                | Operation::AccountFactors
                | Operation::PasskeysRegisterStart
                | Operation::PasskeysRegisterComplete
                | Operation::PasskeysList
                | Operation::PasskeysDelete
        )
    }

    /// Routes under the abuse limits (`limits`): those that make Cognito send a code, and those that
    /// check a secret (a password, a code). Their functions may move the limits' counters.
    pub fn is_rate_limited(self) -> bool {
        matches!(
            self,
            Operation::Signup
                | Operation::SignupConfirm
                | Operation::SignupResend
                | Operation::Login
                | Operation::LoginMfa
                | Operation::LoginSelect
                | Operation::LoginOtp
                | Operation::LoginPasskey
                | Operation::PasswordForgot
                | Operation::PasswordReset
                | Operation::PasswordChange
                | Operation::ProfileEdit
                | Operation::ProfilePhone
                | Operation::ProfileAttributeSendCode
                | Operation::ProfileAttributeConfirm
                | Operation::MfaTotpVerify
                | Operation::AccountDelete
        )
    }

    /// Routes that may exchange a refresh token, and so may need the internal username (AdminGetUser).
    pub fn may_refresh(self) -> bool {
        self == Operation::SessionRefresh || self.is_authenticated()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_function_names_are_unique_and_round_trip() {
        let mut paths = std::collections::HashSet::new();
        let mut names = std::collections::HashSet::new();
        for &op in Operation::ALL {
            assert!(paths.insert(op.path()) && names.insert(op.function_name()));
            assert_eq!(Operation::from_path(op.path()), Some(op));
            assert_eq!(Operation::from_function_name(op.function_name()), Some(op));
        }
        assert_eq!(Operation::from_path("/nope"), None);
    }
}
