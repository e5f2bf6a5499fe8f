//! Fuzzes what an untrusted caller controls before any Cognito call: the body (parsed into every route's
//! request type, as the boundary does), a bearer token's claims, and the Cookie header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::body;
use shared::operations::{account, login, mfa, password, profile, session, signup, totp};

/// Parses `fields` as `T` and drops the outcome: only a panic is a finding.
fn parse<T: serde::de::DeserializeOwned>(fields: &serde_json::Map<String, serde_json::Value>) {
    let _ = body::from_map::<T>(fields.clone());
}

fuzz_target!(|data: &[u8]| {
    if let Ok(fields) = body::parse_object(data) {
        parse::<signup::SignupRequest>(&fields);
        parse::<signup::ConfirmRequest>(&fields);
        parse::<signup::ResendRequest>(&fields);
        parse::<login::LoginRequest>(&fields);
        parse::<login::MfaRequest>(&fields);
        parse::<login::NewPasswordRequest>(&fields);
        parse::<session::RefreshRequest>(&fields);
        parse::<session::RevokeRequest>(&fields);
        parse::<mfa::MfaSetRequest>(&fields);
        parse::<profile::EditRequest>(&fields);
        parse::<profile::PhoneRequest>(&fields);
        parse::<profile::SendCodeRequest>(&fields);
        parse::<profile::ConfirmAttributeRequest>(&fields);
        parse::<password::ChangeRequest>(&fields);
        parse::<password::ResetRequest>(&fields);
        parse::<totp::VerifyInLoginRequest>(&fields);
        parse::<account::DeleteAccountRequest>(&fields);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = shared::tokens::unverified_claims(text);
        let _ = shared::tokens::expiry(text);
        if let Ok(value) = http::HeaderValue::from_str(text) {
            let mut headers = http::HeaderMap::new();
            headers.insert(http::header::COOKIE, value);
            let _ = shared::browser::session_cookie(&headers);
        }
        let _ = shared::values::is_e164(text);
    }
});
