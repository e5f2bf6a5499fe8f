//! `openapi.yaml` agrees with the route table (`Operation::ALL`): the same paths, each with exactly one
//! method, POST, so a route added on either side and not the other fails here. Every route documents the
//! answers it can give: 200, 400, 413, 429 (with `Retry-After`), 500, 502 and 503 on all of them, 401 and
//! 403 on the authenticated ones (with the Bearer scheme), and every error answer uses the shared `Error`
//! schema whose `code` enum is exactly the codes of `ApiError`.

use serde_norway::{Mapping, Value};
use shared::{ApiError, Operation};
use std::collections::BTreeSet;
use std::path::Path;

fn spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_norway::from_str(&text).unwrap_or_else(|e| panic!("openapi.yaml: {e}"))
}

fn map<'a>(value: &'a Value, what: &str) -> &'a Mapping {
    value
        .as_mapping()
        .unwrap_or_else(|| panic!("{what} is not a mapping"))
}

/// Follows a local `$ref` (`#/components/...`) until a value without one.
fn resolve<'a>(spec: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(reference) = value.get("$ref").and_then(Value::as_str) else {
            return value;
        };
        let pointer = reference
            .strip_prefix("#/")
            .unwrap_or_else(|| panic!("only local references: {reference}"));
        value = pointer.split('/').fold(spec, |node, key| {
            node.get(key)
                .unwrap_or_else(|| panic!("dangling reference {reference}"))
        });
    }
    panic!("reference cycle")
}

/// The property names a schema documents, through references and `oneOf` / `anyOf` / `allOf`.
fn property_names(spec: &Value, schema: &Value) -> BTreeSet<String> {
    let schema = resolve(spec, schema);
    let mut names: BTreeSet<String> = schema
        .get("properties")
        .and_then(Value::as_mapping)
        .map(|p| {
            p.keys()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    for combinator in ["oneOf", "anyOf", "allOf"] {
        for alternative in schema[combinator].as_sequence().into_iter().flatten() {
            names.extend(property_names(spec, alternative));
        }
    }
    names
}

/// Whether a schema (or each of its `oneOf` forms) is an object that refuses unknown properties.
fn closed(spec: &Value, schema: &Value) -> bool {
    let schema = resolve(spec, schema);
    match schema["oneOf"].as_sequence() {
        Some(forms) => forms.iter().all(|form| closed(spec, form)),
        None => {
            schema["type"].as_str() == Some("object")
                && schema["additionalProperties"] == Value::Bool(false)
        }
    }
}

/// One of each `ApiError` variant (a new variant fails the exhaustive match below until it is listed).
fn all_errors() -> Vec<ApiError> {
    let all = vec![
        ApiError::invalid("x"),
        ApiError::PayloadTooLarge { limit: 1 },
        ApiError::InvalidPassword,
        ApiError::CodeMismatch,
        ApiError::ExpiredCode,
        ApiError::NotAuthorized("x"),
        ApiError::UserNotConfirmed,
        ApiError::PasswordResetRequired,
        ApiError::UsernameExists,
        ApiError::AliasExists,
        ApiError::MfaNotSetUp("x"),
        ApiError::UnsupportedChallenge("x".into()),
        ApiError::TooManyRequests,
        ApiError::UpstreamError,
        ApiError::UpstreamUnavailable,
        ApiError::CsrfRejected,
        ApiError::UnsupportedMediaType,
        ApiError::ReauthenticationRequired,
        ApiError::PasskeyRejected("x"),
        ApiError::PasskeyNotFound,
        ApiError::NotFound,
        ApiError::MethodNotAllowed,
        ApiError::Internal,
    ];
    for err in &all {
        // Exhaustive on purpose: a new variant must be added to the list above.
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
            | ApiError::TooManyRequests
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

fn error_codes() -> BTreeSet<&'static str> {
    all_errors().iter().map(ApiError::code).collect()
}

const HTTP_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What differs between the spec's routes (path -> methods) and the router's paths, all POST: empty when
/// they agree.
fn route_differences(spec: &Value, router: &BTreeSet<&str>) -> Vec<String> {
    let mut problems = Vec::new();
    let paths = map(&spec["paths"], "paths");
    let in_spec: BTreeSet<&str> = paths.keys().filter_map(Value::as_str).collect();
    for path in in_spec.difference(router) {
        problems.push(format!(
            "{path} is in openapi.yaml but the router does not serve it"
        ));
    }
    for path in router.difference(&in_spec) {
        problems.push(format!(
            "{path} is served by the router but missing from openapi.yaml"
        ));
    }
    let post = Operation::METHOD.as_str().to_ascii_lowercase();
    for (path, item) in paths {
        let path = path.as_str().unwrap_or("?");
        let methods: Vec<&str> = map(item, path)
            .keys()
            .filter_map(Value::as_str)
            .filter(|key| HTTP_METHODS.contains(key))
            .collect();
        if methods != [post.as_str()] {
            problems.push(format!(
                "{path} has methods {methods:?}, the router only POST"
            ));
        }
    }
    problems
}

fn router_paths() -> BTreeSet<&'static str> {
    Operation::ALL.iter().map(|op| op.path()).collect()
}

#[test]
fn the_spec_is_openapi_3_1_with_the_same_routes_as_the_router() {
    let spec = spec();
    assert_eq!(spec["openapi"].as_str().map(|v| &v[..4]), Some("3.1."));
    assert_eq!(
        route_differences(&spec, &router_paths()),
        Vec::<String>::new()
    );
    assert_eq!(map(&spec["paths"], "paths").len(), Operation::ALL.len());
}

/// The comparison above fails whichever side gains a route, or a method.
#[test]
fn a_route_on_one_side_only_fails_the_comparison() {
    let spec = spec();
    let mut router = router_paths();
    router.insert("/only/in/the/router");
    assert_eq!(route_differences(&spec, &router).len(), 1);

    let mut bigger = spec.clone();
    let mut extra = spec["paths"]["/login"].clone();
    bigger["paths"]
        .as_mapping_mut()
        .unwrap()
        .insert("/only/in/the/spec".into(), extra.clone());
    assert_eq!(route_differences(&bigger, &router_paths()).len(), 1);

    let post = extra["post"].clone();
    extra.as_mapping_mut().unwrap().insert("get".into(), post);
    let mut two_methods = spec.clone();
    two_methods["paths"]["/login"] = extra;
    assert_eq!(route_differences(&two_methods, &router_paths()).len(), 1);
}

#[test]
fn every_route_documents_its_answers() {
    let spec = spec();
    for &op in Operation::ALL {
        let path = op.path();
        let operation = &spec["paths"][path]["post"];
        let responses = map(&operation["responses"], path);
        let status = |code: &str| responses.get(code).map(|r| resolve(&spec, r));
        let mut expected = vec!["200", "400", "413", "429", "500", "502", "503"];
        if op.is_authenticated() {
            // 401 for bad credentials, 403 for the CSRF defence of cookie mode.
            expected.extend(["401", "403"]);
        }
        for code in expected {
            assert!(status(code).is_some(), "{path} does not document {code}");
        }

        // Every answer: JSON, with Cache-Control; 429 also with Retry-After.
        for (code, response) in responses {
            let code = code.as_str().expect("status codes are quoted strings");
            let response = resolve(&spec, response);
            assert!(
                response["content"]["application/json"]["schema"].is_mapping(),
                "{path} {code}: no JSON schema"
            );
            let headers = map(&response["headers"], "headers");
            assert!(
                headers.contains_key("Cache-Control"),
                "{path} {code}: no Cache-Control"
            );
            if code == "429" {
                assert!(
                    headers.contains_key("Retry-After"),
                    "{path} 429: no Retry-After"
                );
            }
            if code != "200" {
                let schema = &response["content"]["application/json"]["schema"];
                let error = schema["allOf"]
                    .as_sequence()
                    .and_then(|all| all.first())
                    .and_then(|s| s.get("$ref"))
                    .and_then(Value::as_str);
                assert_eq!(
                    error,
                    Some("#/components/schemas/Error"),
                    "{path} {code}: errors use the shared Error schema"
                );
            }
        }

        // A JSON body whose every form refuses unknown fields, as the handlers do.
        let body = resolve(&spec, &operation["requestBody"]);
        assert!(
            closed(&spec, &body["content"]["application/json"]["schema"]),
            "{path}: the request body must be `additionalProperties: false` (unknown fields are refused)"
        );

        // Authenticated routes offer the Bearer header or the body credentials.
        let security = operation["security"].as_sequence();
        if op.is_authenticated() {
            let security = security.unwrap_or_else(|| panic!("{path}: no security"));
            assert!(
                security.iter().any(|s| s.get("bearerAuth").is_some()),
                "{path}: no bearerAuth"
            );
            let body = resolve(&spec, &operation["requestBody"]);
            let fields = property_names(&spec, &body["content"]["application/json"]["schema"]);
            for field in shared::credentials::FIELDS {
                assert!(
                    fields.contains(field),
                    "{path}: body credential `{field}` is not documented"
                );
            }
        } else {
            assert!(
                security.is_none(),
                "{path}: only authenticated routes take credentials"
            );
        }
    }
}

#[test]
fn the_error_schema_lists_exactly_the_error_codes() {
    let spec = spec();
    let error = &spec["components"]["schemas"]["Error"];
    let enumerated: BTreeSet<&str> = error["properties"]["code"]["enum"]
        .as_sequence()
        .expect("code enum")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(enumerated, error_codes());
    let required: BTreeSet<&str> = error["required"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(required, BTreeSet::from(["code", "message"]));
    assert_eq!(error["additionalProperties"], Value::Bool(false));

    // Each error answer narrows `code` to codes of its own status (per `ApiError::status`), and together
    // they document every code a route can answer with.
    let status_of = |code: &str| {
        all_errors()
            .into_iter()
            .find(|e| e.code() == code)
            .map(|e| e.status().as_u16())
    };
    let mut documented = BTreeSet::new();
    for (path, item) in map(&spec["paths"], "paths") {
        for (status, response) in map(&item["post"]["responses"], "responses") {
            let status = status.as_str().unwrap();
            if status == "200" {
                continue;
            }
            let schema = &resolve(&spec, response)["content"]["application/json"]["schema"];
            let narrowed = &schema["properties"]["code"];
            let codes: Vec<&str> = match narrowed.get("const") {
                Some(code) => code.as_str().into_iter().collect(),
                None => narrowed["enum"]
                    .as_sequence()
                    .map(|codes| codes.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default(),
            };
            assert!(
                !codes.is_empty(),
                "{path:?} {status}: `code` is not narrowed"
            );
            for code in codes {
                assert_eq!(
                    status_of(code).map(|s| s.to_string()),
                    Some(status.to_owned()),
                    "{path:?} {status}: `{code}`"
                );
                documented.insert(code);
            }
        }
    }
    let undocumented: Vec<_> = error_codes()
        .into_iter()
        // Answers of no route's POST: an unknown path, another method.
        .filter(|code| !matches!(*code, "not_found" | "method_not_allowed"))
        .filter(|code| !documented.contains(code))
        .collect();
    assert!(
        undocumented.is_empty(),
        "no route documents {undocumented:?}"
    );
}
