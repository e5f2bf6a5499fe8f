//! Browser mode (SESSION_COOKIE=true) against mocked Cognito: the CSRF proof and the JSON media type on
//! every route, cookie-only sessions, and the one cookie rule (set by any token answer, cleared by the
//! routes that end a session, never touched by a refused request).

use crate::common::*;
use aws_sdk_cognitoidentityprovider::operation::{
    delete_user::DeleteUserOutput, get_user::GetUserOutput, global_sign_out::GlobalSignOutOutput,
    initiate_auth::InitiateAuthOutput, respond_to_auth_challenge::RespondToAuthChallengeOutput,
    revoke_token::RevokeTokenOutput, verify_software_token::VerifySoftwareTokenOutput,
};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, AuthenticationResultType, VerifySoftwareTokenResponseType,
};
use aws_sdk_cognitoidentityprovider::Client;
use aws_smithy_mocks::{mock, Rule};
use base64::Engine;
use serde_json::{json, Value};
use shared::secret_hash::secret_hash;
use shared::{App, Operation};

const APP: &str = "https://app.example";
const COOKIE_PREFIX: &str = "__Host-refresh_token=";

fn cookie_app(rules: &[&Rule], extra: &[(&str, &str)]) -> App {
    let mut vars = vec![("SESSION_COOKIE", "true"), ("ALLOWED_ORIGINS", APP)];
    vars.extend_from_slice(extra);
    app_with(config_with(&vars), rules)
}

/// An access token whose payload names its user, as Cognito's do.
fn access_token(username: &str) -> String {
    let enc = |v: Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
    format!(
        "{}.{}.sig",
        enc(json!({"alg": "RS256"})),
        enc(json!({"token_use": "access", "exp": 4_000_000_000u64, "username": username}))
    )
}

fn tokens(refresh: Option<&str>) -> AuthenticationResultType {
    AuthenticationResultType::builder()
        .access_token(access_token("internal-alice"))
        .id_token(jwt("id", 3600))
        .set_refresh_token(refresh.map(str::to_owned))
        .expires_in(3600)
        .token_type("Bearer")
        .build()
}

fn login_ok() -> Rule {
    mock!(Client::initiate_auth)
        .match_requests(|r| r.auth_flow() == Some(&AuthFlowType::UserPasswordAuth))
        .then_output(|| {
            InitiateAuthOutput::builder()
                .authentication_result(tokens(Some("refresh-1")))
                .build()
        })
}

fn refresh_ok(expected_token: &'static str) -> Rule {
    mock!(Client::initiate_auth)
        .match_requests(move |r| {
            r.auth_flow() == Some(&AuthFlowType::RefreshTokenAuth)
                && r.auth_parameters().unwrap()["REFRESH_TOKEN"] == expected_token
        })
        .then_output(|| {
            InitiateAuthOutput::builder()
                .authentication_result(tokens(None))
                .build()
        })
}

/// Request headers, as name and value.
type Headers = Vec<(&'static str, &'static str)>;

const PROOF: [(&str, &str); 3] = [
    ("origin", APP),
    ("x-requested-with", "XMLHttpRequest"),
    ("content-type", "application/json"),
];

fn with_proof<'a>(more: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut headers = PROOF.to_vec();
    headers.extend_from_slice(more);
    headers
}

fn set_cookies(answer: &Answer) -> Vec<String> {
    answer
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

fn cookie_value(answer: &Answer) -> Option<String> {
    let all = set_cookies(answer);
    let first = all.first()?;
    first
        .split(';')
        .next()?
        .strip_prefix(COOKIE_PREFIX)
        .map(str::to_owned)
}

#[tokio::test]
async fn every_route_needs_the_csrf_proof_and_json_and_a_refusal_sets_no_cookie() {
    let login = login_ok();
    let sign_out =
        mock!(Client::global_sign_out).then_output(|| GlobalSignOutOutput::builder().build());
    let app = cookie_app(&[&login, &sign_out], &[]);
    let credentials = json!({"username": "alice", "password": "Passw0rd!"});
    let refusals: [(Headers, u16, &str); 5] = [
        (
            vec![("content-type", "application/json")],
            403,
            "csrf_rejected",
        ),
        (
            vec![
                ("origin", "https://evil.example"),
                ("x-requested-with", "XMLHttpRequest"),
                ("content-type", "application/json"),
            ],
            403,
            "csrf_rejected",
        ),
        (
            vec![("origin", APP), ("content-type", "application/json")],
            403,
            "csrf_rejected",
        ),
        // What a cross-site HTML form sends, even with the right origin and header.
        (
            vec![
                ("origin", APP),
                ("x-requested-with", "XMLHttpRequest"),
                ("content-type", "text/plain"),
            ],
            415,
            "unsupported_media_type",
        ),
        (
            vec![("origin", APP), ("x-requested-with", "XMLHttpRequest")],
            415,
            "unsupported_media_type",
        ),
    ];
    for &operation in Operation::ALL {
        for (headers, status, code) in &refusals {
            let mut headers = headers.clone();
            headers.push(("cookie", "__Host-refresh_token=victim"));
            let answer = call_with_headers(&app, operation, credentials.clone(), &headers).await;
            assert_error(&answer, *status, code);
            assert!(
                set_cookies(&answer).is_empty(),
                "{operation:?} refused but changed a cookie"
            );
        }
    }
    assert_eq!(
        (login.num_calls(), sign_out.num_calls()),
        (0, 0),
        "refused before Cognito"
    );

    let answer = call_with_headers(&app, Operation::Login, credentials, &PROOF).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.get("refreshToken").is_none());
    assert_eq!(cookie_value(&answer).as_deref(), Some("refresh-1"));
    let with_charset = [
        ("origin", APP),
        ("x-requested-with", "XMLHttpRequest"),
        ("content-type", "application/json; charset=utf-8"),
    ];
    let body = json!({"username": "alice", "password": "Passw0rd!"});
    assert_eq!(
        call_with_headers(&app, Operation::Login, body, &with_charset)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn a_cookie_alone_refreshes_and_no_cookie_is_not_signed_in() {
    let refresh = refresh_ok("from-cookie");
    let app = cookie_app(&[&refresh], &[]);
    let headers = with_proof(&[("cookie", "theme=dark; __Host-refresh_token=from-cookie")]);
    let answer = call_with_headers(&app, Operation::SessionRefresh, json!({}), &headers).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.get("refreshToken").is_none());
    assert_eq!(cookie_value(&answer).as_deref(), Some("from-cookie"));
    // An empty body reads as {} too.
    let answer = call_raw(&app, Operation::SessionRefresh, Vec::new(), &headers).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    for operation in [Operation::SessionRefresh, Operation::SessionRevoke] {
        let answer = call_with_headers(&app, operation, json!({}), &PROOF).await;
        assert_error(&answer, 401, "not_authorized");
        assert!(set_cookies(&answer).is_empty());
    }
    assert_eq!(refresh.num_calls(), 2);
}

#[tokio::test]
async fn with_a_client_secret_the_cookie_keeps_the_username_secret_hash_needs() {
    let secret = [("USER_POOL_CLIENT_SECRET", "s3cr3t")];
    let login = login_ok();
    let refresh = mock!(Client::initiate_auth)
        .match_requests(|r| {
            let params = r.auth_parameters().unwrap();
            r.auth_flow() == Some(&AuthFlowType::RefreshTokenAuth)
                && params["REFRESH_TOKEN"] == "refresh-1"
                && params["SECRET_HASH"] == secret_hash("s3cr3t", "internal-alice", "client123")
        })
        .then_output(|| {
            InitiateAuthOutput::builder()
                .authentication_result(tokens(None))
                .build()
        });
    let app = cookie_app(&[&login, &refresh], &secret);
    let body = json!({"username": "alice@example.com", "password": "Passw0rd!"});
    let answer = call_with_headers(&app, Operation::Login, body, &PROOF).await;
    let value = cookie_value(&answer).unwrap();
    assert!(
        value.starts_with("refresh-1~") && !value.contains("internal-alice"),
        "{value}"
    );
    let cookie = format!("{COOKIE_PREFIX}{value}");
    let answer = call_with_headers(
        &app,
        Operation::SessionRefresh,
        json!({}),
        &with_proof(&[("cookie", &cookie)]),
    )
    .await;
    assert_eq!(
        (answer.status, refresh.num_calls()),
        (200, 1),
        "{}",
        answer.body
    );
    assert_eq!(cookie_value(&answer), Some(value));
}

#[tokio::test]
async fn cookie_only_logout_signs_out_then_clears_and_a_failed_one_keeps_the_cookie() {
    let refresh = refresh_ok("from-cookie");
    let sign_out = mock!(Client::global_sign_out)
        .match_requests(|r| r.access_token() == Some(access_token("internal-alice").as_str()))
        .then_output(|| GlobalSignOutOutput::builder().build());
    let app = cookie_app(&[&refresh, &sign_out], &[]);
    let headers = with_proof(&[("cookie", "__Host-refresh_token=from-cookie")]);
    let answer = call_with_headers(&app, Operation::Logout, json!({}), &headers).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!((refresh.num_calls(), sign_out.num_calls()), (1, 1));
    let cleared = set_cookies(&answer);
    assert_eq!(cleared.len(), 1);
    assert!(cleared[0].starts_with("__Host-refresh_token=;") && cleared[0].contains("Max-Age=0"));

    let dead =
        mock!(Client::initiate_auth).then_http_response(|| exception("NotAuthorizedException"));
    let app = cookie_app(&[&dead], &[]);
    let answer = call_with_headers(&app, Operation::Logout, json!({}), &headers).await;
    assert_error(&answer, 401, "not_authorized");
    assert!(set_cookies(&answer).is_empty());
    let answer = call_with_headers(&app, Operation::Logout, json!({}), &PROOF).await;
    assert_error(&answer, 401, "not_authorized");
}

#[tokio::test]
async fn revoke_and_account_deletion_clear_the_cookie_they_made_useless() {
    let revoke = mock!(Client::revoke_token)
        .match_requests(|r| r.token() == Some("from-cookie"))
        .then_output(|| RevokeTokenOutput::builder().build());
    let app = cookie_app(&[&revoke], &[]);
    let headers = with_proof(&[("cookie", "__Host-refresh_token=from-cookie")]);
    let answer = call_with_headers(&app, Operation::SessionRevoke, json!({}), &headers).await;
    assert_eq!(
        (answer.status, revoke.num_calls()),
        (200, 1),
        "{}",
        answer.body
    );
    assert!(set_cookies(&answer)[0].contains("Max-Age=0"));

    let get_user = mock!(Client::get_user).then_output(|| {
        GetUserOutput::builder()
            .username("alice")
            .set_user_attributes(Some(vec![]))
            .build()
            .unwrap()
    });
    let login = login_ok();
    let delete = mock!(Client::delete_user).then_output(|| DeleteUserOutput::builder().build());
    let app = cookie_app(&[&get_user, &login, &delete], &[]);
    let bearer = format!("Bearer {}", access_token("alice"));
    let headers = with_proof(&[
        ("cookie", "__Host-refresh_token=x"),
        ("authorization", &bearer),
    ]);
    let answer = call_with_headers(
        &app,
        Operation::AccountDelete,
        json!({"password": "Passw0rd!"}),
        &headers,
    )
    .await;
    assert_eq!(
        (answer.status, delete.num_calls()),
        (200, 1),
        "{}",
        answer.body
    );
    let cookies = set_cookies(&answer);
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(cookies[0].contains("Max-Age=0"));
}

#[tokio::test]
async fn finishing_a_login_by_mfa_setup_puts_the_refresh_token_in_the_cookie() {
    let verify = mock!(Client::verify_software_token).then_output(|| {
        VerifySoftwareTokenOutput::builder()
            .status(VerifySoftwareTokenResponseType::Success)
            .session("session-2")
            .build()
    });
    let respond = mock!(Client::respond_to_auth_challenge).then_output(|| {
        RespondToAuthChallengeOutput::builder()
            .authentication_result(tokens(Some("refresh-mfa")))
            .build()
    });
    let app = cookie_app(&[&verify, &respond], &[]);
    let body = json!({"username": "alice", "loginSession": "session-1", "code": "123456"});
    let answer = call_with_headers(&app, Operation::MfaTotpVerify, body, &PROOF).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.get("refreshToken").is_none(), "{}", answer.body);
    assert!(answer.body["accessToken"].is_string());
    assert_eq!(cookie_value(&answer).as_deref(), Some("refresh-mfa"));
}
