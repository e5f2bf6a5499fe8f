//! The local server serves the contract: `GET /openapi.json` is the generated document (the committed
//! `openapi.yaml`, as JSON), with the headers of every answer; any other method there is a 405 JSON error.

mod support;

use serde_json::Value;
use support::Api;

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
