//! What arrives at the boundary, whatever it is: a wrong method is 405, a body that is not a JSON object
//! 400, an oversized one 413. Property tests: whatever bytes, JSON, headers or API Gateway events arrive,
//! every operation answers a JSON error or success with a sensible status; nothing panics, nothing is a
//! 500. In the property tests Cognito is a closed port, so a request that passes validation ends as 503
//! `upstream_unavailable`.

use crate::common::*;
use proptest::prelude::*;
use serde_json::{json, Value};
use shared::{ApiRequest, App, Config, Operation};
use std::sync::OnceLock;

#[tokio::test]
async fn wrong_method_is_405_and_bad_bodies_are_400_or_413() {
    let app = app(&[]);
    let mut request = shared::ApiRequest::post("{}");
    request.method = http::Method::GET;
    let response = app.handle(Operation::Login, request).await;
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");
    assert_error(
        &call_raw(&app, Operation::Login, b"{nope".to_vec(), &[]).await,
        400,
        "invalid_request",
    );
    assert_error(
        &call_raw(&app, Operation::Login, b"[]".to_vec(), &[]).await,
        400,
        "invalid_request",
    );
    let big = vec![b' '; shared::body::MAX_BODY_BYTES + 1];
    assert_error(
        &call_raw(&app, Operation::Login, big, &[]).await,
        413,
        "payload_too_large",
    );
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    })
}

fn closed_port_app() -> &'static App {
    static APP: OnceLock<App> = OnceLock::new();
    APP.get_or_init(|| {
        let vars = [
            ("USER_POOL_ID", "us-east-1_Prop"),
            ("USER_POOL_CLIENT_ID", "client"),
            ("USER_POOL_CLIENT_SECRET", "secret"),
            ("COGNITO_MAX_ATTEMPTS", "1"),
            ("COGNITO_CONNECT_TIMEOUT_MS", "200"),
            ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ];
        let config = Config::from_lookup(|k| {
            vars.iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        })
        .unwrap();
        // Nothing listens on port 9 of the loopback: every call that gets this far is refused at once.
        App::new(config.clone(), shared::cognito::client(&config))
    })
}

const ALLOWED: [u16; 9] = [200, 400, 401, 403, 404, 405, 409, 413, 503];

fn check(operation: Operation, request: ApiRequest) -> Result<(), TestCaseError> {
    let response = runtime().block_on(closed_port_app().handle(operation, request));
    let status = response.status().as_u16();
    prop_assert!(
        ALLOWED.contains(&status),
        "{operation:?} answered {status}: {}",
        response.body()
    );
    let body: Value =
        serde_json::from_str(response.body()).map_err(|e| TestCaseError::fail(e.to_string()))?;
    if status >= 400 {
        let object = body.as_object().unwrap();
        prop_assert_eq!(object.len(), 2);
        prop_assert!(
            object["code"].is_string() && object["message"].as_str().is_some_and(|m| !m.is_empty())
        );
    }
    prop_assert_eq!(
        response.headers()["cache-control"].to_str().unwrap(),
        "no-store"
    );
    Ok(())
}

fn operation() -> impl Strategy<Value = Operation> {
    proptest::sample::select(Operation::ALL.to_vec())
}

/// Field names the operations know, plus noise, so generated objects reach deep into validation.
fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        proptest::sample::select(vec![
            "username",
            "password",
            "attributes",
            "confirmationCode",
            "loginSession",
            "mfaCode",
            "mfaType",
            "newPassword",
            "refreshToken",
            "accessToken",
            "idToken",
            "enableMfa",
            "method",
            "phone_number",
            "attribute",
            "oldPassword",
            "passwordResetCode",
            "code",
            "friendlyDeviceName",
        ])
        .prop_map(str::to_owned),
        "\\PC{0,12}",
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,40}".prop_map(Value::from),
        Just(Value::from("Passw0rd!")),
        Just(Value::from("+14155550123")),
    ];
    leaf.prop_recursive(6, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::from),
            proptest::collection::btree_map(field_name(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes(operation in operation(), body in proptest::collection::vec(any::<u8>(), 0..2048)) {
        check(operation, ApiRequest::post(body))?;
    }

    #[test]
    fn arbitrary_json(operation in operation(), body in json_value()) {
        check(operation, ApiRequest::post(body.to_string()))?;
    }

    #[test]
    fn objects_of_known_fields(
        operation in operation(),
        fields in proptest::collection::btree_map(field_name(), json_value(), 0..8),
        bearer in proptest::option::of("\\PC{0,64}"),
    ) {
        let mut request = ApiRequest::post(Value::Object(fields.into_iter().collect()).to_string());
        if let Some(token) = bearer.and_then(|t| http::HeaderValue::from_str(&format!("Bearer {t}")).ok()) {
            request.headers.insert(http::header::AUTHORIZATION, token);
        }
        check(operation, request)?;
    }

    #[test]
    fn huge_and_deep_bodies(operation in operation(), size in 0usize..40_000, depth in 0usize..5_000) {
        let huge = json!({"username": "x".repeat(size), "password": "y".repeat(size / 2)}).to_string();
        check(operation, ApiRequest::post(huge))?;
        let deep = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        check(operation, ApiRequest::post(deep))?;
        let deep_object = format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth));
        check(operation, ApiRequest::post(deep_object))?;
    }

    #[test]
    fn api_gateway_events_with_base64_bodies(operation in operation(), body in proptest::collection::vec(any::<u8>(), 0..512), encode in any::<bool>()) {
        use base64::Engine;
        let text = if encode { base64::engine::general_purpose::STANDARD.encode(&body) } else { String::from_utf8_lossy(&body).into_owned() };
        let event = json!({
            "version": "2.0", "routeKey": format!("POST {}", operation.path()), "rawPath": operation.path(),
            "rawQueryString": "", "headers": {"content-type": "application/json"},
            "requestContext": {"accountId": "1", "apiId": "a", "domainName": "x.example", "domainPrefix": "x",
                "http": {"method": "POST", "path": operation.path(), "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "t"},
                "requestId": "r", "routeKey": format!("POST {}", operation.path()), "stage": "$default", "time": "1/Jan/2026:00:00:00 +0000", "timeEpoch": 0},
            "body": text, "isBase64Encoded": encode,
        });
        let request = lambda_http::request::from_str(&event.to_string()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let response = runtime().block_on(shared::lambda::handle(closed_port_app(), operation, request)).unwrap();
        let status = response.status().as_u16();
        prop_assert!(ALLOWED.contains(&status), "{operation:?} answered {status}");
    }
}

#[test]
fn a_valid_request_reaches_the_closed_port_and_is_503() {
    let body = json!({"username": "alice", "password": "Passw0rd!"}).to_string();
    let response =
        runtime().block_on(closed_port_app().handle(Operation::Login, ApiRequest::post(body)));
    assert_eq!(response.status(), 503, "{}", response.body());
}
