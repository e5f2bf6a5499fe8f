//! Fuzzes what an untrusted caller controls before any Cognito call: the body (parsed as every route
//! parses it, through every typed accessor), a bearer token's claims, and the Cookie header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shared::input::Fields;

const FIELDS: [&str; 12] = [
    "username", "password", "attributes", "confirmationCode", "mfaCode", "mfaType", "enableMfa",
    "phone_number", "refreshToken", "accessToken", "loginSession", "code",
];

fuzz_target!(|data: &[u8]| {
    if let Ok(fields) = Fields::parse(data, &FIELDS) {
        for name in FIELDS {
            let _ = fields.required_str(name);
            let _ = fields.username(name);
            let _ = fields.password(name);
            let _ = fields.required_bool(name);
            let _ = fields.attribute_list(name, true);
            let _ = fields.attribute_list(name, false);
            let _ = fields.string_map(name);
        }
    }
    let _ = Fields::parse_unrestricted(data).map(|f| f.restrict(&["username"]).is_ok());
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = shared::tokens::unverified_claims(text);
        let _ = shared::tokens::expiry(text);
        if let Ok(value) = http::HeaderValue::from_str(text) {
            let mut headers = http::HeaderMap::new();
            headers.insert(http::header::COOKIE, value);
            let _ = shared::browser::cookie_token(&headers);
        }
        let _ = shared::operations::profile::is_e164(text);
    }
});
