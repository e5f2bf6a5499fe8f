//! `template.yaml`, `lambda/` and `events/` agree with the route table (`Operation::ALL`): a route added
//! in one place and not the others fails here. Also pins the deployment choices the code relies on (the
//! Lambda runtime settings, every environment variable, the one IAM permission and who gets it).

use crate::common;
use serde_json::Value as Json;
use serde_norway::Value;
use shared::Operation;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("shared/ sits in the workspace root")
        .to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn template() -> Value {
    let path = workspace().join("template.yaml");
    serde_norway::from_str(&read(&path)).unwrap_or_else(|e| panic!("template.yaml: {e}"))
}

/// `!Ref X` (short form) or `{Ref: X}` (long form) as the referenced name.
fn reference(value: &Value) -> Option<&str> {
    match value {
        Value::Tagged(tagged) if tagged.tag == "Ref" => tagged.value.as_str(),
        Value::Mapping(map) if map.len() == 1 => map.get("Ref").and_then(Value::as_str),
        _ => None,
    }
}

/// Everything a value mentions, flattened to text (tags included), for "does it name X" checks.
fn mentions(value: &Value, name: &str) -> bool {
    match value {
        Value::String(s) => s == name,
        Value::Tagged(tagged) => tagged.tag == name || mentions(&tagged.value, name),
        Value::Sequence(items) => items.iter().any(|v| mentions(v, name)),
        Value::Mapping(map) => map
            .iter()
            .any(|(k, v)| mentions(k, name) || mentions(v, name)),
        _ => false,
    }
}

/// `login-new-password` -> `LoginNewPasswordFunction`.
fn logical_id(function: &str) -> String {
    let mut id: String = function
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    id.push_str("Function");
    id
}

struct TemplateFunction {
    logical_id: String,
    resource: Value,
}

/// The package of `lambda/`: the one binary every function runs.
const LAMBDA_BINARY: &str = "lambda-function";

/// The template's functions by their function name (the operation their `ROUTE` names).
fn template_functions(template: &Value) -> BTreeMap<String, TemplateFunction> {
    let resources = template["Resources"]
        .as_mapping()
        .expect("template.yaml has Resources");
    let mut functions = BTreeMap::new();
    for (id, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let id = id.as_str().unwrap().to_owned();
        let route = resource["Properties"]["Environment"]["Variables"]["ROUTE"]
            .as_str()
            .unwrap_or_else(|| panic!("{id}: Environment.Variables.ROUTE names its route"));
        let op = Operation::from_path(route)
            .unwrap_or_else(|| panic!("{id}: ROUTE {route} is no route of shared/src/routes.rs"));
        let previous = functions.insert(
            op.function_name().to_owned(),
            TemplateFunction {
                logical_id: id.clone(),
                resource: resource.clone(),
            },
        );
        assert!(previous.is_none(), "two template functions serve {route}");
    }
    functions
}

/// `lambda/`'s package name, the binary the template's functions build.
fn lambda_package_name() -> String {
    let manifest = workspace().join("lambda/Cargo.toml");
    let text = read(&manifest);
    assert!(
        !text.contains("[[bin]]"),
        "lambda/: one binary, src/main.rs, named after the package"
    );
    text.lines()
        .skip_while(|l| l.trim() != "[package]")
        .find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == "name").then(|| value.trim().trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| panic!("{}: no package name", manifest.display()))
}

fn operation_names() -> BTreeSet<String> {
    Operation::ALL
        .iter()
        .map(|op| op.function_name().to_owned())
        .collect()
}

fn event_names() -> BTreeSet<String> {
    std::fs::read_dir(workspace().join("events"))
        .expect("events/ exists")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_owned())
        .collect()
}

fn difference(a: &BTreeSet<String>, b: &BTreeSet<String>) -> Vec<String> {
    a.difference(b).cloned().collect()
}

#[test]
fn every_route_has_a_template_function_and_nothing_else_does() {
    let template = template();
    let in_template: BTreeSet<String> = template_functions(&template).into_keys().collect();
    let routes = operation_names();
    assert_eq!(
        difference(&routes, &in_template),
        Vec::<String>::new(),
        "routes without a function in template.yaml"
    );
    assert_eq!(
        difference(&in_template, &routes),
        Vec::<String>::new(),
        "template.yaml functions without a route in shared/src/routes.rs"
    );
}

#[test]
fn every_function_runs_the_one_lambda_binary_with_the_same_build_metadata() {
    assert_eq!(lambda_package_name(), LAMBDA_BINARY);
    let main = read(&workspace().join("lambda/src/main.rs"));
    assert!(
        main.contains("lambda::operation_from_env()"),
        "lambda/src/main.rs serves the operation its ROUTE names"
    );
    let template = template();
    let expected: Value = serde_norway::from_str(&format!(
        "{{BuildMethod: rust-cargolambda, BuildProperties: {{Binary: {LAMBDA_BINARY}}}}}"
    ))
    .unwrap();
    for function in template_functions(&template).values() {
        // Identical metadata (and Globals' CodeUri, runtime, handler, architecture) is what makes
        // `sam build` build the binary once for every function: any difference means one more build.
        assert_eq!(
            function.resource["Metadata"], expected,
            "{}: Metadata",
            function.logical_id
        );
    }
}

#[test]
fn each_function_is_wired_to_its_operations_post_route_on_the_one_http_api() {
    let template = template();
    assert_eq!(
        template["Resources"]["HttpApi"]["Type"].as_str(),
        Some("AWS::Serverless::HttpApi")
    );
    for (name, function) in template_functions(&template) {
        let id = &function.logical_id;
        let op = Operation::from_function_name(&name).unwrap();
        assert_eq!(
            *id,
            logical_id(&name),
            "logical ids follow the function name"
        );
        let events = function.resource["Properties"]["Events"]
            .as_mapping()
            .unwrap_or_else(|| panic!("{id}: no Events"));
        assert_eq!(events.len(), 1, "{id}: exactly one event, its route");
        let (_, event) = events.iter().next().unwrap();
        assert_eq!(event["Type"].as_str(), Some("HttpApi"), "{id}: event type");
        let properties = &event["Properties"];
        assert_eq!(
            properties["Path"].as_str(),
            Some(op.path()),
            "{id}: path of {op:?}"
        );
        assert_eq!(
            properties["Method"]
                .as_str()
                .map(|m| m.to_ascii_uppercase()),
            Some(Operation::METHOD.as_str().to_owned()),
            "{id}: method"
        );
        assert_eq!(
            reference(&properties["ApiId"]),
            Some("HttpApi"),
            "{id}: on the one HttpApi"
        );
        // Runtime settings come from Globals; a function overriding one would drift from the others.
        for key in [
            "Runtime",
            "Architectures",
            "Handler",
            "CodeUri",
            "MemorySize",
            "Timeout",
            "LoggingConfig",
        ] {
            assert!(
                function.resource["Properties"].get(key).is_none(),
                "{id}: {key} belongs in Globals"
            );
        }
        // Its own environment is its route only (SAM merges it with Globals' variables).
        let own = function.resource["Properties"]["Environment"]
            .as_mapping()
            .unwrap();
        assert_eq!(own.len(), 1, "{id}: Environment has Variables only");
        let variables = own["Variables"].as_mapping().unwrap();
        assert_eq!(variables.len(), 1, "{id}: its Variables are ROUTE only");
    }
}

#[test]
fn globals_build_arm64_al2023_functions_from_the_workspace_root_with_every_setting() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    assert_eq!(globals["CodeUri"].as_str(), Some("."));
    assert_eq!(globals["Runtime"].as_str(), Some("provided.al2023"));
    assert_eq!(globals["Handler"].as_str(), Some("bootstrap"));
    assert_eq!(
        globals["Architectures"],
        Value::Sequence(vec![Value::from("arm64")])
    );
    assert_eq!(globals["MemorySize"].as_u64(), Some(128));
    let timeout = globals["Timeout"].as_u64().unwrap();
    assert!(
        (10..=29).contains(&timeout),
        "short, but above the code's Cognito bounds"
    );
    assert_eq!(globals["LoggingConfig"]["LogFormat"].as_str(), Some("JSON"));

    let variables = globals["Environment"]["Variables"].as_mapping().unwrap();
    assert!(
        !variables.contains_key("ROUTE"),
        "ROUTE is each function's own"
    );
    let config_source = include_str!("../../src/config.rs");
    for name in [
        "USER_POOL_ID",
        "USER_POOL_CLIENT_ID",
        "USER_POOL_CLIENT_SECRET",
        "LOGIN_FLOW",
        "TOTP_ISSUER",
        "HIDE_EXISTING_USERS",
        "SESSION_COOKIE",
        "ALLOWED_ORIGINS",
        "REFRESH_TOKEN_VALIDITY_DAYS",
        "REFRESH_TOKEN_ROTATION",
        "RATE_LIMIT_TABLE",
        "RATE_LIMIT_CODE_SENDS_PER_ACCOUNT_MINUTE",
        "RATE_LIMIT_CODE_SENDS_PER_ACCOUNT_HOUR",
        "RATE_LIMIT_CODE_SENDS_PER_IP",
        "RATE_LIMIT_SMS_PER_HOUR",
        "RATE_LIMIT_GUESSES_PER_ACCOUNT",
        "RATE_LIMIT_GUESSES_PER_IP",
        "TRUSTED_PROXIES",
        "PASS_CLIENT_IP_TO_COGNITO",
    ] {
        assert!(
            variables.contains_key(name),
            "Globals.Function.Environment sets {name}"
        );
        assert!(
            config_source.contains(&format!("\"{name}\"")),
            "the code no longer reads {name}: update template.yaml"
        );
    }
    // The client secret only ever arrives through a Secrets Manager dynamic reference.
    let secret = serde_json::to_string(&to_json(&variables["USER_POOL_CLIENT_SECRET"])).unwrap();
    assert!(secret.contains("{{resolve:secretsmanager:"), "{secret}");
    let parameters = template["Parameters"].as_mapping().unwrap();
    for (name, parameter) in parameters {
        if name
            .as_str()
            .unwrap()
            .to_ascii_lowercase()
            .contains("secret")
        {
            assert_eq!(
                parameter["Default"].as_str(),
                Some(""),
                "{name:?}: no secret default"
            );
        }
    }
}

/// Operations that take the caller's credentials (`shared::credentials`), found by behaviour: with an
/// empty body and no `Authorization`, they answer 401 before anything else (the others answer 400).
async fn operations_taking_credentials() -> BTreeSet<String> {
    let app = common::app(&[]);
    let mut names = BTreeSet::new();
    for &op in Operation::ALL {
        let answer = common::call(&app, op, serde_json::json!({})).await;
        assert!(
            matches!(answer.status, 400 | 401),
            "{op:?} with an empty body: {} {}",
            answer.status,
            answer.body
        );
        if answer.status == 401 {
            names.insert(op.function_name().to_owned());
        }
    }
    names
}

#[tokio::test]
async fn only_functions_that_may_exchange_a_refresh_token_get_admin_get_user_on_the_pool() {
    let template = template();
    let resources = &template["Resources"];
    let policy = &resources["AdminGetUserPolicy"];
    assert_eq!(policy["Type"].as_str(), Some("AWS::IAM::ManagedPolicy"));
    let statements = policy["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(statements[0]["Effect"].as_str(), Some("Allow"));
    assert_eq!(
        statements[0]["Action"].as_str(),
        Some("cognito-idp:AdminGetUser"),
        "that action only"
    );
    let resource = to_json(&statements[0]["Resource"]).to_string();
    assert!(
        resource.contains(":userpool/${UserPoolId}") && !resource.contains('*'),
        "on the API's pool only: {resource}"
    );

    // session-refresh exchanges the refresh token it is given; every route that accepts credentials
    // may be given a refresh token instead of an access token.
    let mut expected = operations_taking_credentials().await;
    expected.insert(Operation::SessionRefresh.function_name().to_owned());
    let mut granted = BTreeSet::new();
    for (name, function) in template_functions(&template) {
        let properties = &function.resource["Properties"];
        if let Some(policies) = properties.get("Policies") {
            if mentions(policies, "AdminGetUserPolicy") {
                granted.insert(name.clone());
            }
            // Beyond logs: AdminGetUser where a refresh token may be exchanged, the pool's own
            // settings where a sign-in step is built from them, the rate limits' counters where a route
            // is limited; nothing else.
            let known = [
                "AdminGetUserPolicy",
                "PasskeySettingsPolicy",
                "FirstFactorsPolicy",
                "RateLimitPolicy",
            ];
            for policy in policies.as_sequence().unwrap() {
                assert!(
                    known.iter().any(|k| mentions(policy, k)),
                    "{}: an unexpected policy {policy:?}",
                    function.logical_id
                );
            }
        }
        assert!(
            properties.get("Role").is_none(),
            "{}: SAM's role",
            function.logical_id
        );
    }
    assert_eq!(
        granted, expected,
        "functions with AdminGetUserPolicy vs. functions that may exchange a refresh token"
    );
}

#[test]
fn only_the_functions_that_build_a_sign_in_step_read_the_pools_settings() {
    let template = template();
    let resources = &template["Resources"];
    for (policy, action) in [
        ("PasskeySettingsPolicy", "cognito-idp:GetUserPoolMfaConfig"),
        ("FirstFactorsPolicy", "cognito-idp:DescribeUserPool"),
    ] {
        let statements = resources[policy]["Properties"]["PolicyDocument"]["Statement"]
            .as_sequence()
            .unwrap();
        assert_eq!(statements.len(), 1, "{policy}");
        assert_eq!(statements[0]["Effect"].as_str(), Some("Allow"));
        assert_eq!(
            statements[0]["Action"].as_str(),
            Some(action),
            "{policy}: that action only"
        );
        let resource = to_json(&statements[0]["Resource"]).to_string();
        assert!(
            resource.contains("UserPool.Arn")
                && resource.contains(":userpool/${UserPoolId}")
                && !resource.contains('*'),
            "{policy}: on the API's pool only: {resource}"
        );
    }
    let mut readers: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for (name, function) in template_functions(&template) {
        if let Some(policies) = function.resource["Properties"].get("Policies") {
            for policy in ["PasskeySettingsPolicy", "FirstFactorsPolicy"] {
                if mentions(policies, policy) {
                    readers.entry(name.clone()).or_default().push(policy);
                }
            }
        }
    }
    assert_eq!(
        readers,
        BTreeMap::from([
            (
                "login".to_owned(),
                vec!["PasskeySettingsPolicy", "FirstFactorsPolicy"]
            ),
            ("login-select".to_owned(), vec!["PasskeySettingsPolicy"]),
        ])
    );
}

#[test]
fn exactly_the_limited_routes_may_move_the_rate_limit_counters() {
    let template = template();
    let resources = &template["Resources"];
    let table = &resources["RateLimitTable"];
    assert_eq!(table["Type"].as_str(), Some("AWS::DynamoDB::Table"));
    let properties = &table["Properties"];
    assert_eq!(properties["BillingMode"].as_str(), Some("PAY_PER_REQUEST"));
    assert_eq!(
        to_json(&properties["KeySchema"]),
        serde_json::json!([{"AttributeName": "pk", "KeyType": "HASH"}])
    );
    assert_eq!(
        to_json(&properties["TimeToLiveSpecification"]),
        serde_json::json!({"AttributeName": "expires_at", "Enabled": true})
    );
    let statements = resources["RateLimitPolicy"]["Properties"]["PolicyDocument"]["Statement"]
        .as_sequence()
        .unwrap();
    assert_eq!(statements.len(), 1);
    assert_eq!(
        statements[0]["Action"].as_str(),
        Some("dynamodb:UpdateItem")
    );
    assert_eq!(
        to_json(&statements[0]["Resource"]).to_string(),
        r#"{"!GetAtt":"RateLimitTable.Arn"}"#
    );
    let expected: BTreeSet<String> = Operation::ALL
        .iter()
        .filter(|op| op.is_rate_limited())
        .map(|op| op.function_name().to_owned())
        .collect();
    let granted: BTreeSet<String> = template_functions(&template)
        .into_iter()
        .filter(|(_, f)| {
            f.resource["Properties"]
                .get("Policies")
                .is_some_and(|p| mentions(p, "RateLimitPolicy"))
        })
        .map(|(name, _)| name)
        .collect();
    assert_eq!(granted, expected);
}

fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Number(n) => serde_json::from_str(&n.to_string()).unwrap_or(Json::Null),
        Value::String(s) => Json::String(s.clone()),
        Value::Sequence(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Mapping(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.as_str().unwrap_or_default().to_owned(), to_json(v)))
                .collect(),
        ),
        Value::Tagged(tagged) => {
            serde_json::json!({ format!("!{}", tagged.tag.to_string().trim_start_matches('!')): to_json(&tagged.value) })
        }
    }
}

#[test]
fn every_function_has_an_event_for_its_route_and_every_event_a_function() {
    let template = template();
    let functions: BTreeSet<String> = template_functions(&template).into_keys().collect();
    let events = event_names();
    assert_eq!(
        difference(&functions, &events),
        Vec::<String>::new(),
        "functions without events/<function>.json"
    );
    assert_eq!(
        difference(&events, &functions),
        Vec::<String>::new(),
        "events/*.json naming no function of template.yaml"
    );
    for name in &events {
        let path = workspace().join("events").join(format!("{name}.json"));
        let event: Json = serde_json::from_str(&read(&path))
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let Some(op) = Operation::from_function_name(name) else {
            panic!("events/{name}.json names no operation");
        };
        let route = format!("{} {}", Operation::METHOD, op.path());
        assert_eq!(event["version"], "2.0", "{name}: payload format 2.0");
        assert_eq!(event["routeKey"], route.as_str(), "{name}: routeKey");
        assert_eq!(
            event["requestContext"]["routeKey"],
            route.as_str(),
            "{name}: requestContext.routeKey"
        );
        assert_eq!(event["rawPath"], op.path(), "{name}: rawPath");
        assert_eq!(
            event["requestContext"]["http"]["path"],
            op.path(),
            "{name}: requestContext.http.path"
        );
        assert_eq!(
            event["requestContext"]["http"]["method"],
            Operation::METHOD.as_str(),
            "{name}: method"
        );
        assert_eq!(
            event["headers"]["content-type"], "application/json",
            "{name}: content-type"
        );
        let body = event["body"].as_str().expect("body is a JSON string");
        serde_json::from_str::<Json>(body)
            .unwrap_or_else(|e| panic!("{name}: the body is JSON: {e}"));
    }
}
