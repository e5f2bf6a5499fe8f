//! The contract every route shares: `GET /openapi.json` serves the generated document (the committed
//! `openapi.yaml`, as JSON) with the headers of every answer, any other method there being a 405 JSON
//! error; malformed requests get a named 4xx that never reaches Cognito; and Cognito refusing connections
//! or hanging is a 503 within bounded time.

use crate::support::*;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[test]
fn get_openapi_json_serves_the_spec() {
    let api = Api::start();
    let answer = api.request("GET", "/openapi.json", None, &[]);
    let spec = answer.expect(200);
    assert!(
        answer
            .header("content-type")
            .is_some_and(|v| v.starts_with("application/json")),
        "{:?}",
        answer.headers
    );
    assert_eq!(answer.header("cache-control"), Some("no-store"));

    // The same document as openapi.yaml, converted.
    let yaml = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml"),
    )
    .unwrap();
    let expected: Value = serde_norway::from_str(&yaml).unwrap();
    assert_eq!(spec, &expected);
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"));
    let paths = spec["paths"].as_object().unwrap();
    for op in shared::Operation::ALL {
        assert!(paths.contains_key(op.path()), "{} missing", op.path());
    }

    // HEAD works like GET, without a body.
    let head = api.request("HEAD", "/openapi.json", None, &[]);
    assert_eq!(head.status, 200);
    assert_eq!(head.body, Value::Null);
}

#[test]
fn other_methods_on_openapi_json_are_405() {
    let api = Api::start();
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let answer = api.request(method, "/openapi.json", Some(b"{}".to_vec()), &[]);
        answer.expect_error(405, "method_not_allowed");
        assert_eq!(answer.header("allow"), Some("GET, HEAD"), "{method}");
        assert_eq!(answer.header("cache-control"), Some("no-store"));
    }
    // The API routes are unchanged: GET on a route is still 405 (POST only), unknown paths 404.
    let answer = api.request("GET", "/login", None, &[]);
    answer.expect_error(405, "method_not_allowed");
    assert_eq!(answer.header("allow"), Some("POST"));
    api.request("GET", "/openapi.yaml", None, &[])
        .expect_error(404, "not_found");
}

#[test]
fn bad_requests_are_named_and_never_reach_cognito() {
    let api = Api::start();
    let not_json = api.request("POST", "/login", Some(b"{not json".to_vec()), &[]);
    not_json.expect_error(400, "invalid_request");
    let unknown = api.post(
        "/login",
        json!({"username": "a", "password": "b", "remember": true}),
    );
    unknown.expect_error(400, "invalid_request");
    assert!(unknown.body["message"]
        .as_str()
        .unwrap()
        .contains("remember"));
    let missing = api.post("/signup", json!({"username": "a"}));
    assert!(missing.body["message"]
        .as_str()
        .unwrap()
        .contains("password"));
    let wrong_type = api.post(
        "/signup/confirm",
        json!({"username": "a", "confirmationCode": 123456}),
    );
    assert!(wrong_type.body["message"]
        .as_str()
        .unwrap()
        .contains("confirmationCode"));
    let huge = json!({"username": "a", "password": "x".repeat(17 * 1024)});
    api.post("/login", huge)
        .expect_error(413, "payload_too_large");
    api.post("/nope", json!({})).expect_error(404, "not_found");
    api.request("GET", "/login", None, &[])
        .expect_error(405, "method_not_allowed");
    for answer in [not_json, unknown] {
        assert_eq!(answer.header("cache-control"), Some("no-store"));
        assert_eq!(answer.header("content-type"), Some("application/json"));
    }
}

fn pool_on(endpoint: &str) -> (Pool, Vec<(&'static str, String)>) {
    let pool = Pool {
        user_pool_id: "us-east-1_Down".into(),
        client_id: "client".into(),
        client_secret: None,
    };
    (pool, vec![("AWS_ENDPOINT_URL", endpoint.to_owned())])
}

#[test]
fn cognito_refusing_connections_is_503_within_5_seconds() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (pool, env) = pool_on(&format!("http://127.0.0.1:{port}"));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let api = Api::on_pool(pool, &env);
    let started = Instant::now();
    let answer = api.post("/login", json!({"username": "a", "password": "Passw0rd!"}));
    answer.expect_error(503, "upstream_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn cognito_hanging_is_503_within_10_seconds() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accepts connections and never answers.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    let (pool, env) = pool_on(&format!("http://127.0.0.1:{port}"));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let api = Api::on_pool(pool, &env);
    let started = Instant::now();
    api.post("/login", json!({"username": "a", "password": "Passw0rd!"}))
        .expect_error(503, "upstream_unavailable");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "took {:?}",
        started.elapsed()
    );
}
