//! The API's contract, the OpenAPI 3.1 document, generated from the code (feature `openapi`; the Lambda
//! functions never compile it). Its sources:
//!
//! - the route table (`Operation::ALL`): the paths, each POST only;
//! - the handler table in `dispatch` (`dispatch::describe`): each route's request and response types, and
//!   which routes take credentials (the `bearerAuth` alternative, and the body credentials of
//!   `credentials::BodyCredentials` in their bodies);
//! - the types themselves: `ToSchema` derived from their serde attributes (names, required fields,
//!   `deny_unknown_fields`, tags), their doc comments as descriptions, and the validated values of
//!   `values` with hand-written bounds and patterns next to their checks;
//! - `ApiError` (the `Error` schema's codes, and each error answer's codes by status), `browser` (which
//!   answers may set or clear the session cookie);
//! - and below, the text of each route (`route`) and of the document (`DESCRIPTION`).
//!
//! `local` serves it at `GET /openapi.json`; `cargo run -p local --bin openapi > openapi.yaml` writes the
//! committed copy, and `tests/it/contract.rs` fails when that copy differs from what the code generates.

use crate::auth::steps::Tokens;
use crate::browser;
use crate::credentials::BodyCredentials;
use crate::dispatch::{self, Describe};
use crate::error::ApiError;
use crate::routes::Operation;
use std::collections::BTreeMap;
use utoipa::openapi::header::Header;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, ObjectBuilder, OneOfBuilder, Ref, Schema, SchemaType, Type,
};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, RefOr, Required,
    ServerBuilder,
};
use utoipa::ToSchema;

/// The command that writes `openapi.yaml` from the code.
pub const REGENERATE: &str = "cargo run -p local --bin openapi > openapi.yaml";

/// The document's description (`info.description`).
pub const DESCRIPTION: &str = r#"An HTTP API over one Amazon Cognito user pool: sign-up, login and its challenges, sessions, MFA,
profile, passwords, account deletion. The same handlers run behind API Gateway (one Lambda per route)
and on the local server (`local`, which also serves this document at `GET /openapi.json`).

**Requests.** Every route is `POST` with a JSON object body (an empty body reads as `{}`). Bodies
larger than 16 KiB are refused with 413. Unknown fields are refused by name (400 `invalid_request`),
as are wrong types, empty or blank strings, and strings longer than 8192 characters. A `null` value
reads as an absent field. Any other method on a route answers 405 `method_not_allowed` with
`Allow: POST`; an unknown path answers 404 `not_found`.

**Credentials** (routes marked with the `bearerAuth` security alternative): send
`Authorization: Bearer <accessToken>`, or in the body `accessToken` (with `idToken` accepted and
ignored), or `refreshToken` (exchanged for an access token first; refused with 400 when the server
runs with refresh-token rotation, except at `/logout`), with `username` when the app client has a
secret (400 naming it otherwise; optional and unused without a secret). A header always wins, and only the credential in use is
used (the other credential fields must still be well-formed). Credentials are checked before the rest of the body, so a bad
credential is always 401 even when the body is also wrong.

**Errors** are `{"code", "message"}` (the `Error` schema); `code` is stable, `message` is ours (never
Cognito's text). Every route can answer 429 `too_many_requests` (with `Retry-After`), 502
`upstream_error`, 503 `upstream_unavailable` and 500 `internal` (a misconfiguration of the server).

**Headers.** Every answer carries `Cache-Control: no-store`.

**Opt-in features** (server configuration):
- `ALLOWED_ORIGINS` (comma-separated exact origins): CORS. Answers carry `Vary: Origin`, and for a
  listed `Origin` also `Access-Control-Allow-Origin: <origin>` and
  `Access-Control-Allow-Credentials: true`. `OPTIONS` on a route is then a preflight answered 204
  (with `Access-Control-Allow-Methods: POST`,
  `Access-Control-Allow-Headers: content-type, authorization, x-requested-with, x-cognito-context-data`,
  `Access-Control-Max-Age: 600` for a listed origin; no CORS grant for any other).
- `SESSION_COOKIE=true`: browser-safe sessions. Every answer with tokens sets the refresh token in the
  cookie `__Host-refresh_token` (`Max-Age` = the refresh token's validity, `Path=/; Secure; HttpOnly;
  SameSite=Strict`) and leaves `refreshToken` out of the body. `/session/refresh`, `/session/revoke`
  and `/logout` read the cookie when the body has no refresh token, so `{}` is enough (no cookie and
  no `refreshToken`: 401 `not_authorized`); `/logout`, `/session/revoke` (of the cookie's token) and
  `/account/delete` clear it when they succeed. Only a successful answer sets or clears the cookie.
  Every route then needs the CSRF proof: an allowed `Origin` and `X-Requested-With: XMLHttpRequest`
  (else 403 `csrf_rejected`), and `Content-Type: application/json` (else 415
  `unsupported_media_type`). The API must be on the web app's site for the browser to keep the cookie.
- `HIDE_EXISTING_USERS=true`: enumeration-safe sign-up. A sign-up for an existing username answers
  200 exactly like a fresh, unconfirmed one (a random `userSub`, the delivery a new account would get)
  and sends no code, and `/signup/confirm` for an account that is already confirmed answers exactly
  like a wrong code (400 `code_mismatch`), with or without `loginSession`. Trade-off: a real user who
  forgot they have an account gets no error and no code, and must use the password reset instead.

No enumeration on any sign-in method: where Cognito would tell whether an account exists or has a
method, the API answers a decoy step built from the pool's own settings (its WebAuthn relying party and
user verification, its first factors), and each next step taken with a decoy makes the same Cognito
calls as its real twin, so that it costs the same time.
"#;

/// What a route says of itself, beyond its types.
struct RouteText {
    summary: &'static str,
    description: Option<&'static str>,
    /// The description of its 200 answer.
    answer: &'static str,
    /// Whether it can answer 409 (`username_exists`, `alias_exists`).
    conflict: bool,
    /// Whether it can answer 404 (`passkey_not_found`).
    not_found: bool,
}

const fn text(summary: &'static str, answer: &'static str) -> RouteText {
    RouteText {
        summary,
        description: None,
        answer,
        conflict: false,
        not_found: false,
    }
}

impl RouteText {
    const fn described(mut self, description: &'static str) -> RouteText {
        self.description = Some(description);
        self
    }

    const fn conflicting(mut self) -> RouteText {
        self.conflict = true;
        self
    }

    /// The route answers 404 for something the caller named that is not there.
    const fn finding(mut self) -> RouteText {
        self.not_found = true;
        self
    }
}

const DONE: &str = "Done.";
const DELIVERY: &str = "Where the code was sent (`null` when nowhere, or for an unknown user).";
const LOGIN_STEP: &str =
    "Tokens (in cookie mode the refresh token is in `Set-Cookie`), or the next login step.";

/// Each route's summary, description and answer (exhaustive: a new operation fails to compile here).
fn route(operation: Operation) -> RouteText {
    use Operation as Op;
    match operation {
        Op::Signup => text(
            "Create an account (with a password, or without one where the pool signs in by code); Cognito sends a confirmation code.",
            "The account was created (or, with `HIDE_EXISTING_USERS=true`, looks as if it was).",
        )
        .described("With `HIDE_EXISTING_USERS=true`, an existing username answers 200 like a fresh sign-up (see the API description).\nWithout `password`: a passwordless user (the pool must sign in by code, and `attributes` must hold the\nemail or phone number the codes go to). Where SIGN_IN_METHODS has a code method, every answer carries\n`loginSession` for `/signup/confirm`.\n")
        .conflicting(),
        Op::SignupConfirm => text(
            "Confirm an account with the code sent at sign-up; with `loginSession`, sign in straight away.",
            "`{status}`, or with `loginSession` tokens (or the next login step).",
        )
            .described("An unknown user reads like a wrong code (400 `code_mismatch`); so does, with `HIDE_EXISTING_USERS=true`,\nan account that is already confirmed (otherwise 401). With the sign-up's `loginSession`, the\nconfirmation code counts as the first factor and the answer is tokens; when that session has expired,\nthe account is still confirmed and the answer is `{status}`.\n")
            .conflicting(),
        Op::SignupResend => text("Send the sign-up confirmation code again.", DELIVERY)
            .described("An unknown user answers 200 with `codeDeliveryDetails` null, so this route tells no one who has an account."),
        Op::Login => text(
            "Log in with a password, a one-time code or a passkey (`method`), or choose how (neither); tokens, or the next login step.",
            LOGIN_STEP,
        )
        .described("With `password`: the configured LOGIN_FLOW; an unknown user and a wrong password read the same (401).\nWith `method` (`EMAIL_OTP`, `SMS_OTP`, `WEB_AUTHN`): an `OTP_CODE` or `PASSKEY` step, the same for\nevery username (an unknown user, or one without that method, gets a step nothing satisfies). With\nneither: a `SELECT_METHOD` step. A `method` outside SIGN_IN_METHODS is 400. A login step this API\ncannot answer is 400 `unsupported_challenge`. `WEB_AUTHN` on a pool whose WebAuthn settings cannot be\nread (and no PASSKEY_* fallback) is 500 `internal` for every username.\n"),
        Op::LoginSelect => text(
            "Answer a `SELECT_METHOD` step with the method chosen (and the password with `PASSWORD`).",
            LOGIN_STEP,
        )
        .described("`PASSWORD` with `password`: tokens or the next step; a wrong password is 401. `EMAIL_OTP` / `SMS_OTP`:\nan `OTP_CODE` step (the code is sent). `WEB_AUTHN`: a `PASSKEY` step.\n"),
        Op::LoginOtp => text(
            "Answer an `OTP_CODE` step with the one-time code; tokens, or the next step.",
            LOGIN_STEP,
        )
        .described("A wrong code is 400 `code_mismatch` (the step stays usable); an expired code 400 `expired_code`; a\nlogin session that is gone (used, expired) 401: log in again.\n"),
        Op::LoginPasskey => text(
            "Answer a `PASSKEY` step with the browser's assertion (`credential.toJSON()`); tokens, or the next step.",
            LOGIN_STEP,
        )
        .described("A passkey sign-in that fails (a wrong, forged or replayed assertion, an expired step) is 401."),
        Op::AccountFactors => text(
            "How the caller can sign in (first factors) and their MFA.",
            "`signInMethods` (PASSWORD, EMAIL_OTP, SMS_OTP, WEB_AUTHN), `mfaMethods`, `preferredMfa` (or `null`).",
        ),
        Op::PasskeysRegisterStart => text(
            "Start registering a passkey: the options for `navigator.credentials.create`.",
            "Cognito's CredentialCreationOptions, as a JSON object with base64url fields.",
        )
        .described("Needs a fresh sign-in: an access token whose `auth_time` is at most\nPASSKEY_REGISTRATION_MAX_AGE_SECONDS old (default 300), else 403 `reauthentication_required`.\n"),
        Op::PasskeysRegisterComplete => text(
            "Finish registering a passkey with the browser's RegistrationResponseJSON (`credential.toJSON()`).",
            DONE,
        )
        .described("Needs a fresh sign-in, as the start. A credential that does not verify is 400 `passkey_rejected`,\nwith a message that says why.\n"),
        Op::PasskeysList => text(
            "The caller's passkeys, a page at a time (`nextToken`).",
            "The passkeys (`createdAt` in epoch seconds) and the next page's token, or `null`.",
        ),
        Op::PasskeysDelete => text("Delete one of the caller's passkeys.", DONE)
            .described("An unknown credential id is 404 `passkey_not_found`.")
            .finding(),
        Op::LoginMfa => text(
            "Answer an `MFA_AUTH` step (a code) or a `SELECT_MFA_TYPE` step (a type, no code).",
            LOGIN_STEP,
        )
        .described("With `mfaCode`, answers the MFA challenge named by `mfaType` (default `SMS_MFA`). With `mfaType` and\nno `mfaCode`, chooses that method in a `SELECT_MFA_TYPE` step. One of the two is required.\n"),
        Op::LoginNewPassword => text(
            "Answer a `NEW_PASSWORD_REQUIRED` step with a new password (and the required attributes).",
            LOGIN_STEP,
        )
        .conflicting(),
        Op::SessionRefresh => text(
            "New access and ID tokens from a refresh token.",
            "Tokens. In cookie mode the refresh token is in `Set-Cookie`, not the body.",
        )
        .described("`refreshToken` is reported back unless Cognito rotated it. `username` is needed only when the app\nclient has a secret. In cookie mode the refresh token (and that username) come from the\n`__Host-refresh_token` cookie when the body has none (an empty body is enough; no cookie is 401),\nand the token goes back in the cookie.\n"),
        Op::Logout => text(
            "Log out everywhere (GlobalSignOut) - every token of the user stops working.",
            "Done. In cookie mode, `Set-Cookie` clears `__Host-refresh_token`.",
        )
        .described("In cookie mode the refresh token may come from the cookie (an empty body is enough), and a successful answer clears the cookie."),
        Op::MfaGet => text(
            "The caller's MFA methods and preferred method.",
            "The MFA methods enabled for the caller.",
        ),
        Op::MfaSet => text("Enable (and prefer) or disable an MFA method.", DONE)
            .described("Enabling SMS needs a verified phone, email MFA a verified email, an authenticator app a verified one\n(400 `mfa_not_set_up`).\n"),
        Op::ProfileGet => text(
            "The caller's username and attributes.",
            "The caller's username and attributes, in Cognito's `{Name, Value}` shape.",
        ),
        Op::ProfileEdit => text(
            "Update attributes; an empty or null `Value` deletes the attribute.",
            "The attributes were changed; one delivery per attribute that needs verifying.",
        )
        .described("`phone_number` and `phone_number_verified` are changed with `/profile/phone`; `sub`, `identities`,\n`cognito:username` and `email_verified` are read-only. A changed email gets a verification code\n(`codeDeliveryDetails`). When the delete part fails after the update part succeeded, the update is\nrolled back.\n")
        .conflicting(),
        Op::ProfilePhone => text(
            "Set the phone number (a code is sent to confirm it), or remove it with `null`.",
            "The phone number was set (a code was sent to confirm it) or removed (`codeDeliveryDetails` null).",
        )
        .described("Removing the phone disables SMS MFA first, so the user is never locked out.")
        .conflicting(),
        Op::ProfileAttributeConfirm => {
            text("Confirm an email or phone number with the code sent to it.", DONE).conflicting()
        }
        Op::ProfileAttributeSendCode => text(
            "Send (again) a verification code for the email or phone number.",
            DELIVERY,
        ),
        Op::PasswordChange => text("Change the password (signed in).", DONE)
            .described("A wrong current password is 401."),
        Op::PasswordForgot => text(
            "Send a password-reset code.",
            "`SUCCESS`, and where the code was sent (`null` when nowhere, or for an unknown user).",
        )
        .described("An unknown user, or one with nowhere to send a code, answers 200 with `codeDeliveryDetails` null."),
        Op::PasswordReset => text("Set a new password with the reset code.", DONE)
            .described("An unknown user reads like a wrong code (400 `code_mismatch`)."),
        Op::MfaTotpSetup => text(
            "Start setting up an authenticator app - a secret and its `otpauth://` URI.",
            "The secret to enter in the authenticator app, and the URI to show as a QR code.",
        )
        .described("Two forms. Signed in (credentials): then verify with `/mfa/totp/verify` and enable with `/mfa/set`.\nDuring a login that answered `MFA_SETUP` (body `loginSession` + `username`, no `Authorization`\nheader): the answer also holds the next `loginSession`. A body with `loginSession` (even `null`)\nand no `Authorization` header is the login form.\n"),
        Op::MfaTotpVerify => text(
            "Verify the authenticator app with a code it shows.",
            "Signed in - `{\"status\": \"SUCCESS\"}`. During a login - tokens or the next login step.",
        )
        .described("Signed in (credentials): answers `{\"status\": \"SUCCESS\"}`. During a login (`loginSession` +\n`username`, no `Authorization` header): verifying finishes the login, so it answers tokens or the\nnext login step. A wrong code is 400 `code_mismatch`.\n"),
        Op::AccountDelete => text(
            "Delete the caller's account, after checking the password again.",
            "Done. In cookie mode, `Set-Cookie` clears `__Host-refresh_token`.",
        )
        .described("A wrong password is 401. Irreversible. In cookie mode a successful answer clears the cookie."),
        Op::SessionRevoke => text(
            "End the one session a refresh token belongs to (RevokeToken); other sessions go on.",
            "Done. In cookie mode, `Set-Cookie` clears `__Host-refresh_token`.",
        )
        .described("In cookie mode the refresh token may come from the cookie (an empty body is enough; no cookie is 401), and revoking the cookie's token clears the cookie."),
    }
}

/// Every `ApiError`, one of each variant (exhaustive: a new variant fails to compile here).
pub fn every_error() -> Vec<ApiError> {
    let all = vec![
        ApiError::invalid(""),
        ApiError::PayloadTooLarge { limit: 0 },
        ApiError::InvalidPassword,
        ApiError::CodeMismatch,
        ApiError::ExpiredCode,
        ApiError::NotAuthorized(""),
        ApiError::UserNotConfirmed,
        ApiError::PasswordResetRequired,
        ApiError::UsernameExists,
        ApiError::AliasExists,
        ApiError::MfaNotSetUp(""),
        ApiError::UnsupportedChallenge(String::new()),
        ApiError::throttled(),
        ApiError::UpstreamError,
        ApiError::UpstreamUnavailable,
        ApiError::CsrfRejected,
        ApiError::UnsupportedMediaType,
        ApiError::ReauthenticationRequired,
        ApiError::PasskeyRejected(""),
        ApiError::PasskeyNotFound,
        ApiError::NotFound,
        ApiError::MethodNotAllowed,
        ApiError::Internal,
    ];
    for err in &all {
        match err {
            ApiError::InvalidRequest(_)
            | ApiError::PayloadTooLarge { .. }
            | ApiError::InvalidPassword
            | ApiError::CodeMismatch
            | ApiError::ExpiredCode
            | ApiError::NotAuthorized(_)
            | ApiError::UserNotConfirmed
            | ApiError::PasswordResetRequired
            | ApiError::UsernameExists
            | ApiError::AliasExists
            | ApiError::MfaNotSetUp(_)
            | ApiError::UnsupportedChallenge(_)
            | ApiError::TooManyRequests { .. }
            | ApiError::UpstreamError
            | ApiError::UpstreamUnavailable
            | ApiError::CsrfRejected
            | ApiError::UnsupportedMediaType
            | ApiError::ReauthenticationRequired
            | ApiError::PasskeyRejected(_)
            | ApiError::PasskeyNotFound
            | ApiError::NotFound
            | ApiError::MethodNotAllowed
            | ApiError::Internal => {}
        }
    }
    all
}

/// A route's description, with the abuse limits it is under (README, "Abuse limits").
fn with_limits(operation: Operation, description: Option<&'static str>) -> Option<String> {
    use Operation as Op;
    let limits = match operation {
        Op::Signup
        | Op::SignupResend
        | Op::PasswordForgot
        | Op::ProfileAttributeSendCode
        | Op::ProfilePhone
        | Op::ProfileEdit => "the code sends of the account and of the client IP (and the deployment's SMS cap)",
        Op::Login | Op::LoginSelect => "with a code method, the code sends of the account and of the client IP (and the SMS cap); with a password, the guesses of the account and of the client IP (an MFA code it makes Cognito send counts as a code send)",
        Op::LoginMfa => "the guesses of the account and of the client IP (choosing SMS or email MFA: the code sends)",
        Op::AccountDelete => "the guesses of the account and of the client IP (an MFA code the re-authentication makes Cognito send counts as a code send)",
        op if op.is_rate_limited() => "the guesses of the account and of the client IP",
        _ => return description.map(str::to_owned),
    };
    let note = format!(
        "Abuse limits (with RATE_LIMIT_TABLE): {limits}. Over a limit: 429 `too_many_requests` with `Retry-After`, no call to Cognito, the same answer for an account that exists and one that does not."
    );
    Some(match description {
        Some(text) => format!("{}\n\n{note}\n", text.trim_end()),
        None => format!("{note}\n"),
    })
}

/// The error answers routes document, by status: the component's name and description. Each narrows
/// `code` to the codes `ApiError` answers with that status.
const ERROR_ANSWERS: [(u16, &str, &str); 11] = [
    (400, "BadRequest", "`invalid_request` (malformed JSON, a missing / empty / wrong-typed / unknown field, named in the\nmessage; a value Cognito refused), `invalid_password` (the password policy), `code_mismatch`,\n`expired_code`, `mfa_not_set_up`, `unsupported_challenge` (a login step this API cannot answer),\n`passkey_rejected` (a passkey credential that does not verify).\n"),
    (401, "Unauthorized", "`not_authorized`: wrong credentials (an unknown user reads the same), or a missing, invalid, expired or revoked token or session."),
    (403, "Forbidden", "`user_not_confirmed`, `password_reset_required` (login), `reauthentication_required` (adding a\npasskey needs a recent sign-in), or in cookie mode `csrf_rejected` (no allowed `Origin` or no\n`X-Requested-With: XMLHttpRequest`), on every route.\n"),
    (404, "NotFound", "`passkey_not_found`: the user has no passkey with this credential id."),
    (409, "Conflict", "`username_exists`, or `alias_exists` (another account uses this email or phone number)."),
    (413, "PayloadTooLarge", "`payload_too_large`: the body is over 16384 bytes."),
    (415, "UnsupportedMediaType", "`unsupported_media_type`: cookie mode only, the body is not declared `Content-Type: application/json`."),
    (429, "TooManyRequests", "`too_many_requests`: a rate limit of this API (when RATE_LIMIT_TABLE is set: code sends and\nguesses per account and per client IP, SMS sends per deployment), or Cognito throttled the call or\ncounted too many failed attempts. `Retry-After` gives the seconds to wait. The answer is the same\nfor an account that exists and one that does not.\n"),
    (500, "Internal", "`internal`: the server is misconfigured (unknown pool or client, a flow the client does not allow...)."),
    (502, "UpstreamError", "`upstream_error`: Cognito answered with an error of its own or something unreadable (after the SDK's bounded retries)."),
    (503, "UpstreamUnavailable", "`upstream_unavailable`: Cognito could not be reached or did not answer within the configured timeouts,\nor (on a route that sends a code) the rate limits' store could not be."),
];

/// The schemas of the document, by name; a second, different schema under a taken name is a bug.
#[derive(Default)]
struct Schemas(BTreeMap<String, RefOr<Schema>>);

impl Schemas {
    fn add(&mut self, name: String, schema: RefOr<Schema>) {
        match self.0.get(&name) {
            Some(known) if *known != schema => panic!("two different schemas are named {name}"),
            Some(_) => {}
            None => {
                self.0.insert(name, schema);
            }
        }
    }

    /// `T` and every schema it refers to; the names added.
    fn add_type<T: ToSchema>(&mut self) -> Vec<String> {
        let mut found = vec![(T::name().into_owned(), T::schema())];
        T::schemas(&mut found);
        let names = found.iter().map(|(name, _)| name.clone()).collect();
        for (name, schema) in found {
            self.add(name, schema);
        }
        names
    }
}

/// One form of a route's body, as `dispatch::describe` tells it.
struct Form {
    request: String,
    response: String,
    credentials: bool,
    /// The body has required fields (else `{}` or no body is a valid request).
    requires_fields: bool,
    /// The answer may carry tokens (then the refresh token may move into `Set-Cookie`).
    tokens: bool,
}

struct Collect<'a> {
    schemas: &'a mut Schemas,
    forms: Vec<Form>,
}

impl Describe for Collect<'_> {
    fn form<Request: ToSchema, Response: ToSchema>(&mut self, credentials: bool) {
        let request = Request::name().into_owned();
        let mut own = Schemas::default();
        own.add_type::<Request>();
        let Some(RefOr::T(Schema::Object(mut body))) = own.0.remove(&request) else {
            panic!("{request} is not an object schema");
        };
        for (name, schema) in own.0 {
            self.schemas.add(name, schema);
        }
        if credentials {
            // The body credentials first, then the route's own fields, one closed object.
            let mut with_credentials = Schemas::default();
            with_credentials.add_type::<BodyCredentials>();
            let Some(RefOr::T(Schema::Object(fields))) = with_credentials
                .0
                .remove(&BodyCredentials::name().into_owned())
            else {
                panic!("BodyCredentials is not an object schema");
            };
            for (name, schema) in with_credentials.0 {
                self.schemas.add(name, schema);
            }
            let mut properties = fields.properties;
            properties.extend(std::mem::take(&mut body.properties));
            body.properties = properties;
        }
        body.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
        let requires_fields = !body.required.is_empty();
        self.schemas
            .add(request.clone(), Schema::Object(body).into());
        let names = self.schemas.add_type::<Response>();
        self.forms.push(Form {
            request,
            response: Response::name().into_owned(),
            credentials,
            requires_fields,
            tokens: names.iter().any(|name| *name == Tokens::name()),
        });
    }
}

fn reference(name: &str) -> RefOr<Schema> {
    RefOr::Ref(Ref::from_schema_name(name))
}

/// One schema, or `oneOf` the distinct ones.
fn one_of(names: Vec<&str>) -> RefOr<Schema> {
    let mut distinct: Vec<&str> = Vec::new();
    for name in names {
        if !distinct.contains(&name) {
            distinct.push(name);
        }
    }
    match distinct.as_slice() {
        [one] => reference(one),
        many => many
            .iter()
            .fold(OneOfBuilder::new(), |one_of, name| {
                one_of.item(reference(name))
            })
            .into(),
    }
}

fn cache_control() -> Header {
    let mut header = Header::new(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(["no-store"])),
    );
    header.description = Some("Every answer may carry tokens or personal data.".into());
    header
}

fn set_cookie() -> Header {
    let mut header = Header::new(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^__Host-refresh_token=")),
    );
    header.description = Some(
        "Cookie mode only (`SESSION_COOKIE=true`): `__Host-refresh_token=<token>; Max-Age=<refresh token\nvalidity in seconds>; Path=/; Secure; HttpOnly; SameSite=Strict` (an empty value and `Max-Age=0`\nclear it).\n"
            .into(),
    );
    header
}

fn retry_after() -> Header {
    let mut header = Header::new(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .pattern(Some("^[0-9]+$")),
    );
    header.description = Some("Seconds to wait before retrying.".into());
    header
}

/// The `Error` schema: exactly `code` (one of `ApiError`'s codes) and `message`.
fn error_schema() -> RefOr<Schema> {
    let codes: Vec<&str> = every_error().iter().map(ApiError::code).collect();
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .description(Some("Every error answer - exactly these two keys."))
        .property(
            "code",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(codes)),
        )
        .required("code")
        .property(
            "message",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1)),
        )
        .required("message")
        .additional_properties(Some(AdditionalProperties::FreeForm(false)))
        .into()
}

/// An error answer: the shared `Error` with `code` narrowed to the codes of `status`.
fn error_answer(status: u16, description: &str) -> utoipa::openapi::Response {
    let codes: Vec<&str> = every_error()
        .iter()
        .filter(|err| err.status().as_u16() == status)
        .map(ApiError::code)
        .collect();
    assert!(!codes.is_empty(), "no ApiError answers {status}");
    let narrowed = ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .property(
            "code",
            ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .enum_values(Some(codes)),
        );
    let schema = AllOfBuilder::new().item(reference("Error")).item(narrowed);
    let mut answer = ResponseBuilder::new()
        .description(description)
        .header("Cache-Control", cache_control());
    if status == 429 {
        answer = answer.header("Retry-After", retry_after());
    }
    answer
        .content(
            "application/json",
            ContentBuilder::new().schema(Some(schema)).build(),
        )
        .build()
}

/// The document, as utoipa builds it (see `document` for the finished one).
fn openapi() -> OpenApi {
    let mut schemas = Schemas::default();
    schemas.add("Error".into(), error_schema());
    let mut paths = PathsBuilder::new();
    for &operation in Operation::ALL {
        let mut collect = Collect {
            schemas: &mut schemas,
            forms: Vec::new(),
        };
        dispatch::describe(operation, &mut collect);
        let forms = collect.forms;
        let text = route(operation);

        let body = RequestBodyBuilder::new()
            .required(Some(if forms.iter().all(|f| f.requires_fields) {
                Required::True
            } else {
                Required::False
            }))
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(one_of(
                        forms.iter().map(|f| f.request.as_str()).collect(),
                    )))
                    .build(),
            )
            .build();

        let mut answer = ResponseBuilder::new()
            .description(text.answer)
            .header("Cache-Control", cache_control());
        if forms.iter().any(|f| f.tokens) || browser::may_end_session(operation) {
            answer = answer.header("Set-Cookie", set_cookie());
        }
        let answer = answer
            .content(
                "application/json",
                ContentBuilder::new()
                    .schema(Some(one_of(
                        forms.iter().map(|f| f.response.as_str()).collect(),
                    )))
                    .build(),
            )
            .build();

        let mut item = OperationBuilder::new()
            .operation_id(Some(operation_id(operation.function_name())))
            .summary(Some(text.summary))
            .description(with_limits(operation, text.description))
            .request_body(Some(body))
            .response("200", answer);
        for (status, name, _) in ERROR_ANSWERS {
            let documented = match status {
                409 => text.conflict,
                404 => text.not_found,
                _ => true,
            };
            if documented {
                item = item.response(
                    status.to_string(),
                    RefOr::Ref(Ref::from_response_name(name)),
                );
            }
        }
        if forms.iter().any(|f| f.credentials) {
            item = item
                .security(SecurityRequirement::new("bearerAuth", Vec::<String>::new()))
                .security(SecurityRequirement::default());
        }
        paths = paths.path(
            operation.path(),
            PathItem::new(HttpMethod::Post, item.build()),
        );
    }

    let mut components = ComponentsBuilder::new().security_scheme(
        "bearerAuth",
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .description(Some(
                    "A Cognito access token. Alternatives in the body: `accessToken`, or `refreshToken` (with `username`\nwhen the app client has a secret; the `{}` alternative of each authenticated route).\n",
                ))
                .build(),
        ),
    );
    for (status, name, description) in ERROR_ANSWERS {
        components = components.response(name, error_answer(status, description));
    }
    for (name, schema) in schemas.0 {
        components = components.schema(name, schema);
    }

    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Cognito User Pool auth API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(DESCRIPTION))
                .build(),
        )
        .servers(Some([ServerBuilder::new()
            .url("http://localhost:3000")
            .description(Some("The local server (`scripts/run-local.sh`)"))
            .build()]))
        .security(Some(Vec::<SecurityRequirement>::new()))
        .paths(paths.build())
        .components(Some(components.build()))
        .build()
}

/// `signup-confirm` -> `signupConfirm`.
fn operation_id(function_name: &str) -> String {
    let mut id = String::new();
    let mut upper = false;
    for c in function_name.chars() {
        match c {
            '-' => upper = true,
            c if upper => {
                id.push(c.to_ascii_uppercase());
                upper = false;
            }
            c => id.push(c),
        }
    }
    id
}

/// The document. What utoipa 5's model cannot say is added here: headers' `required`, and the one
/// rule of `/login/mfa` the types do not carry (a code or a type).
pub fn document() -> serde_norway::Value {
    use serde_norway::Value;
    let mut doc = serde_norway::to_value(openapi()).expect("the document serialises");
    let required = |answer: &mut Value| {
        if let Some(headers) = answer.get_mut("headers").and_then(Value::as_mapping_mut) {
            for (name, header) in headers.iter_mut() {
                let always = name.as_str() != Some("Set-Cookie");
                if let Some(header) = header.as_mapping_mut() {
                    header.insert("required".into(), Value::Bool(always));
                }
            }
        }
    };
    for item in doc["paths"].as_mapping_mut().expect("paths").values_mut() {
        for answer in item["post"]["responses"]
            .as_mapping_mut()
            .expect("responses")
            .values_mut()
        {
            required(answer);
        }
    }
    for answer in doc["components"]["responses"]
        .as_mapping_mut()
        .expect("responses")
        .values_mut()
    {
        required(answer);
    }
    // Every object the API reads or answers is closed: requests refuse unknown fields
    // (`deny_unknown_fields`), answers have exactly their keys. Not through `allOf` (the error answers
    // narrow the shared `Error` there).
    fn close(schema: &mut Value) {
        if let Some(map) = schema.as_mapping_mut() {
            if map.get("type").and_then(Value::as_str) == Some("object")
                && map.contains_key("properties")
                && !map.contains_key("additionalProperties")
            {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            for (key, value) in map.iter_mut() {
                if key.as_str() != Some("allOf") {
                    close(value);
                }
            }
        } else if let Some(items) = schema.as_sequence_mut() {
            items.iter_mut().for_each(close);
        }
    }
    close(&mut doc["components"]["schemas"]);
    let mfa: Value = serde_norway::from_str(
        "- required: [mfaCode]\n  properties: {mfaCode: {type: string}}\n- required: [mfaType]\n  properties: {mfaType: {type: string}}\n",
    )
    .expect("valid YAML");
    let name = crate::operations::login::MfaRequest::name();
    doc["components"]["schemas"][name.as_ref()]
        .as_mapping_mut()
        .expect("MfaRequest")
        .insert("anyOf".into(), mfa);
    doc
}

/// The document as YAML: what `openapi.yaml` holds.
pub fn yaml() -> String {
    serde_norway::to_string(&document()).expect("the document serialises")
}

/// The document as JSON: what `GET /openapi.json` answers.
pub fn json() -> Vec<u8> {
    serde_json::to_vec(&document()).expect("the document serialises")
}
