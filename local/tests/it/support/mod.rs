//! Black-box harness: each test gets its own user pool on the Cognito emulator and its own local server
//! process (the real `local` binary), and talks to it over HTTP like any client would.
//!
//! The emulator is the one `scripts/test.sh` starts (`COGNITO_EMULATOR_URL`); without it, the harness
//! starts one itself from the project's `.venv` (created by `scripts/setup.sh`).
//!
//! Shared by the two test binaries: `it` (every HTTP test, by route family) and `timing` (the decoy
//! timing test, alone so that nothing competes with its measurements).

#![allow(dead_code)]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub const PASSWORD: &str = "Corr3ct-Horse!";

fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .new_agent()
}

/// The emulator's base URL, starting one if the test script did not.
pub fn emulator_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        if let Ok(url) = std::env::var("COGNITO_EMULATOR_URL") {
            return url;
        }
        start_emulator(&[])
    })
}

/// A new emulator process of this test process's own (`extra`: more `serve` options, such as
/// `--delay-ms 30`), living as long as the test process; its base URL.
pub fn start_emulator(extra: &[&str]) -> String {
    let python = workspace_root().join(".venv/bin/python");
    assert!(
        python.exists(),
        "no .venv: run scripts/test.sh (or scripts/setup.sh) first"
    );
    let mut child = Command::new(python)
        .args([
            "-m",
            "cognito_emulator",
            "serve",
            "--port",
            "0",
            "--exit-with-parent",
        ])
        .args(extra)
        .current_dir(workspace_root().join("emulator"))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the emulator");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let ready: Value =
        serde_json::from_str(&line).expect("the emulator prints one JSON line when ready");
    std::mem::forget(child); // lives as long as the test process (it exits with its parent)
    ready["endpoint"].as_str().unwrap().to_owned()
}

#[derive(Clone, Debug)]
pub struct Pool {
    pub user_pool_id: String,
    pub client_id: String,
    pub client_secret: Option<String>,
}

pub fn create_pool(options: Value) -> Pool {
    create_pool_at(emulator_url(), options)
}

/// A pool on the emulator at `emulator`.
pub fn create_pool_at(emulator: &str, options: Value) -> Pool {
    let mut response = agent()
        .post(format!("{emulator}/_emulator/pools"))
        .send_json(options)
        .expect("create a pool on the emulator");
    let body: Value = response.body_mut().read_json().unwrap();
    Pool {
        user_pool_id: body["userPoolId"].as_str().unwrap().to_owned(),
        client_id: body["clientId"].as_str().unwrap().to_owned(),
        client_secret: body["clientSecret"].as_str().map(str::to_owned),
    }
}

pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub headers: Vec<(String, String)>,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }

    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(self.status, status, "unexpected answer: {}", self.body);
        &self.body
    }

    #[track_caller]
    pub fn expect_error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code()),
            (status, code),
            "unexpected answer: {}",
            self.body
        );
        assert_eq!(
            self.body.as_object().map(|o| o.len()),
            Some(2),
            "error body is exactly code + message"
        );
    }
}

/// A local server process for one pool.
pub struct Api {
    pub base: String,
    pub pool: Pool,
    /// The emulator the pool lives on.
    pub emulator: String,
    child: Child,
    logs: Arc<Mutex<String>>,
    /// In cookie mode, the CSRF proof an app's own page sends (`Origin`, `X-Requested-With`), added by
    /// the set-up helpers (`confirmed_user`, `login`).
    app_headers: Vec<(String, String)>,
}

impl Drop for Api {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Api {
    /// A fresh pool (MFA optional, no client secret) and a server on it.
    pub fn start() -> Api {
        Api::start_with(json!({}), &[])
    }

    pub fn start_with(pool_options: Value, env: &[(&str, &str)]) -> Api {
        let pool = create_pool(pool_options);
        Api::on_pool(pool, env)
    }

    pub fn on_pool(pool: Pool, env: &[(&str, &str)]) -> Api {
        Api::on_pool_at(emulator_url(), pool, env)
    }

    /// A server on `pool` of the emulator at `emulator`.
    pub fn on_pool_at(emulator: &str, pool: Pool, env: &[(&str, &str)]) -> Api {
        let mut command = Command::new(env!("CARGO_BIN_EXE_local"));
        command
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("PORT", "0")
            .env("USER_POOL_ID", &pool.user_pool_id)
            .env("USER_POOL_CLIENT_ID", &pool.client_id)
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", emulator)
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local")
            .env("RUST_LOG", "info")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(secret) = &pool.client_secret {
            command.env("USER_POOL_CLIENT_SECRET", secret);
        }
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().expect("start the local server");
        let logs = Arc::new(Mutex::new(String::new()));
        let mut stderr = child.stderr.take().unwrap();
        let sink = logs.clone();
        std::thread::spawn(move || {
            let mut buffer = [0u8; 4096];
            while let Ok(n) = stderr.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .unwrap()
                    .push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
        });
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let base = line
            .trim()
            .strip_prefix("API listening on ")
            .unwrap_or_else(|| panic!("server did not start: {line:?}\n{}", logs.lock().unwrap()))
            .to_owned();
        let cookie_mode = env
            .iter()
            .any(|(k, v)| *k == "SESSION_COOKIE" && *v == "true");
        let app_origin = env
            .iter()
            .find(|(k, _)| *k == "ALLOWED_ORIGINS")
            .and_then(|(_, v)| v.split(',').next());
        let app_headers = match (cookie_mode, app_origin) {
            (true, Some(origin)) => vec![
                ("origin".to_owned(), origin.to_owned()),
                ("x-requested-with".to_owned(), "XMLHttpRequest".to_owned()),
            ],
            _ => Vec::new(),
        };
        Api {
            base,
            pool,
            emulator: emulator.to_owned(),
            child,
            logs,
            app_headers,
        }
    }

    /// Everything the server logged so far.
    pub fn logs(&self) -> String {
        std::thread::sleep(Duration::from_millis(100));
        self.logs.lock().unwrap().clone()
    }

    pub fn post(&self, path: &str, body: Value) -> Answer {
        self.request("POST", path, Some(body.to_string().into_bytes()), &[])
    }

    pub fn post_with(&self, path: &str, body: Value, headers: &[(&str, &str)]) -> Answer {
        self.request("POST", path, Some(body.to_string().into_bytes()), headers)
    }

    pub fn post_bearer(&self, path: &str, access_token: &str, body: Value) -> Answer {
        let header = format!("Bearer {access_token}");
        self.post_with(path, body, &[("authorization", &header)])
    }

    pub fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Vec<u8>>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let uri = format!("{}{}", self.base, path);
        let mut builder = http::Request::builder().method(method).uri(uri);
        if body.is_some() {
            builder = builder.header("content-type", "application/json");
        }
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        let request = builder.body(body.unwrap_or_default()).unwrap();
        let mut response = agent().run(request).expect("the server answers");
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).expect("JSON answer")
        };
        Answer {
            status,
            body,
            headers,
        }
    }

    /// Every code the emulator "sent" to `username`, oldest first.
    pub fn messages(&self, username: &str) -> Vec<Value> {
        let url = format!(
            "{}/_emulator/messages?userPoolId={}&username={}",
            self.emulator, self.pool.user_pool_id, username
        );
        let body: Value = agent()
            .get(url)
            .call()
            .unwrap()
            .body_mut()
            .read_json()
            .unwrap();
        body["messages"].as_array().cloned().unwrap_or_default()
    }

    /// The latest code of `kind` sent to `username`.
    #[track_caller]
    pub fn last_code(&self, username: &str, kind: &str) -> String {
        self.messages(username)
            .iter()
            .rev()
            .find(|m| m["kind"] == kind)
            .and_then(|m| m["code"].as_str())
            .unwrap_or_else(|| panic!("no {kind} code was sent to {username}"))
            .to_owned()
    }

    pub fn expire_codes(&self, username: &str) {
        agent()
            .post(format!("{}/_emulator/expire-codes", self.emulator))
            .send_json(json!({"userPoolId": self.pool.user_pool_id, "username": username}))
            .unwrap();
    }

    /// A Cognito admin call straight to the emulator (what an operator would do with the AWS CLI).
    pub fn admin(&self, operation: &str, mut body: Value) -> Value {
        body["UserPoolId"] = json!(self.pool.user_pool_id);
        let mut response = agent()
            .post(&self.emulator)
            .header("x-amz-target", format!("AWSCognitoIdentityProviderService.{operation}"))
            .header("content-type", "application/x-amz-json-1.1")
            .header("authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/cognito-idp/aws4_request, SignedHeaders=host, Signature=00")
            .send(body.to_string())
            .unwrap();
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap();
        assert_eq!(status, 200, "{operation} failed: {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// Sign up and confirm `username` with the emulated email code.
    pub fn confirmed_user(&self, username: &str, extra_attributes: Value) {
        let mut attributes =
            vec![json!({"Name": "email", "Value": format!("{username}@example.com")})];
        attributes.extend(extra_attributes.as_array().cloned().unwrap_or_default());
        self.post_as_app(
            "/signup",
            json!({"username": username, "password": PASSWORD, "attributes": attributes}),
        )
        .expect(200);
        let code = self.last_code(username, "SIGN_UP");
        self.post_as_app(
            "/signup/confirm",
            json!({"username": username, "confirmationCode": code}),
        )
        .expect(200);
    }

    /// Log in and return the token body.
    pub fn login(&self, username: &str, password: &str) -> Value {
        self.post_as_app(
            "/login",
            json!({"username": username, "password": password}),
        )
        .expect(200)
        .clone()
    }

    /// A POST as the app's own page sends it (with the CSRF proof in cookie mode).
    pub fn post_as_app(&self, path: &str, body: Value) -> Answer {
        let headers: Vec<(&str, &str)> = self
            .app_headers
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        self.post_with(path, body, &headers)
    }
}

pub fn unique(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    format!("{prefix}{}", COUNTER.fetch_add(1, Ordering::Relaxed))
}

/// The current RFC 6238 code (30 s, 6 digits, SHA-1) for a base32 secret, as an authenticator app shows it.
pub fn totp(secret_base32: &str) -> String {
    use hmac::{Hmac, KeyInit, Mac};
    let mut bits: u64 = 0;
    let mut count = 0;
    let mut key = Vec::new();
    for c in secret_base32.trim_end_matches('=').chars() {
        let value = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
            .find(c.to_ascii_uppercase())
            .expect("base32") as u64;
        bits = (bits << 5) | value;
        count += 5;
        if count >= 8 {
            key.push((bits >> (count - 8)) as u8);
            count -= 8;
        }
    }
    let step = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 30;
    let mut mac = Hmac::<sha1::Sha1>::new_from_slice(&key).unwrap();
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let number = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    format!("{:06}", number % 1_000_000)
}

/// A code that is certainly not `code`.
pub fn other_than(code: &str) -> &'static str {
    if code == "000000" {
        "111111"
    } else {
        "000000"
    }
}

/// The page origin the passkey tests' pools accept (`webAuthn.origins`).
pub const ORIGIN: &str = "http://localhost:8000";

/// One authenticator (one key, one credential) for the life of the value.
pub struct Authenticator {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Authenticator {
    pub fn new() -> Authenticator {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut child = Command::new(root.join(".venv/bin/python"))
            .arg(root.join("local/tests/it/support/authenticator.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the software authenticator starts (.venv: run scripts/setup.sh)");
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        Authenticator {
            child,
            stdin,
            stdout,
        }
    }

    pub fn ask(&mut self, command: Value) -> Value {
        writeln!(self.stdin, "{command}").unwrap();
        let mut line = String::new();
        self.stdout.read_line(&mut line).unwrap();
        serde_json::from_str(&line).expect("the authenticator answers JSON")
    }

    pub fn create(&mut self, options: &Value, origin: &str) -> Value {
        self.ask(json!({"op": "create", "options": options, "origin": origin}))
    }

    pub fn get(&mut self, options: &Value, forge: bool) -> Value {
        self.ask(json!({"op": "get", "options": options, "origin": ORIGIN, "forge": forge}))
    }
}

impl Drop for Authenticator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Registers `authenticator`'s passkey for the user of `access` (a fresh sign-in).
pub fn register_passkey(api: &Api, access: &str, authenticator: &mut Authenticator) {
    let start = api
        .post_bearer("/passkeys/register/start", access, json!({}))
        .expect(200)
        .clone();
    let credential = authenticator.create(&start["credentialCreationOptions"], ORIGIN);
    api.post_bearer(
        "/passkeys/register/complete",
        access,
        json!({"credential": credential}),
    )
    .expect(200);
}

/// A second app client of `pool` with `PreventUserExistenceErrors=LEGACY`: Cognito then says
/// UserNotFoundException, and the API's own decoys are all that hide the account.
pub fn legacy_client(api: &Api) -> Pool {
    let created = api.admin(
        "CreateUserPoolClient",
        json!({
            "ClientName": "legacy",
            "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
            "PreventUserExistenceErrors": "LEGACY",
        }),
    );
    Pool {
        user_pool_id: api.pool.user_pool_id.clone(),
        client_id: created["UserPoolClient"]["ClientId"]
            .as_str()
            .unwrap()
            .to_owned(),
        client_secret: None,
    }
}

/// A DynamoDB call to the emulator (moto serves DynamoDB on the same endpoint), as the AWS CLI would
/// make it; the parsed answer.
pub fn dynamodb(emulator: &str, operation: &str, body: Value) -> Value {
    let mut response = agent()
        .post(emulator)
        .header("x-amz-target", format!("DynamoDB_20120810.{operation}"))
        .header("content-type", "application/x-amz-json-1.0")
        .header("authorization", "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=00")
        .send(body.to_string())
        .unwrap();
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().unwrap();
    assert_eq!(status, 200, "DynamoDB {operation} failed: {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A fresh rate-limits table on the emulator, as template.yaml creates it (key `pk`, TTL on
/// `expires_at`); its name.
pub fn create_limits_table(emulator: &str) -> String {
    // Unique across test processes too: the emulator outlives them.
    let name = format!("limits-{}-{}", std::process::id(), unique(""));
    dynamodb(
        emulator,
        "CreateTable",
        json!({
            "TableName": name,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": "pk", "AttributeType": "S"}],
            "BillingMode": "PAY_PER_REQUEST",
        }),
    );
    dynamodb(
        emulator,
        "UpdateTimeToLive",
        json!({"TableName": name, "TimeToLiveSpecification": {"Enabled": true, "AttributeName": "expires_at"}}),
    );
    name
}

/// Every item of a rate-limits table.
pub fn limits_items(emulator: &str, table: &str) -> Vec<Value> {
    dynamodb(emulator, "Scan", json!({"TableName": table}))["Items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

// Helpers shared by several test modules.

/// A confirmed user named `prefix…` (with the attribute `name` = "Original Name"), signed in: its
/// username and token body.
pub fn signed_in(api: &Api, prefix: &str) -> (String, Value) {
    let user = unique(prefix);
    api.confirmed_user(&user, json!([{"Name": "name", "Value": "Original Name"}]));
    let tokens = api.login(&user, PASSWORD);
    (user, tokens)
}

/// The value of attribute `name` in a `/profile/get` answer.
pub fn attribute(profile: &Value, name: &str) -> Option<String> {
    profile["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .map(|a| a["Value"].as_str().unwrap().to_owned())
}

/// The sign-in methods of the passwordless tests' pools and servers.
pub const FIRST_FACTORS: &str = "PASSWORD,EMAIL_OTP,SMS_OTP";

/// A server with passwordless sign-in (FIRST_FACTORS) on a fresh pool that allows it; `extra_env` adds
/// to its environment.
pub fn passwordless_api(extra_env: &[(&str, &str)]) -> Api {
    let mut env = vec![
        ("SIGN_IN_METHODS", FIRST_FACTORS),
        ("LOGIN_SESSION_KEY", "test-login-session-key"),
    ];
    env.extend_from_slice(extra_env);
    Api::start_with(
        json!({"firstFactors": ["PASSWORD", "EMAIL_OTP", "SMS_OTP"]}),
        &env,
    )
}

/// The keys of a JSON object, sorted.
pub fn keys(value: &Value) -> Vec<String> {
    let mut keys: Vec<String> = value.as_object().unwrap().keys().cloned().collect();
    keys.sort();
    keys
}

/// The keys of a token body, sorted.
pub const TOKEN_KEYS: [&str; 7] = [
    "accessToken",
    "accessTokenExpiresAt",
    "expiresIn",
    "idToken",
    "idTokenExpiresAt",
    "refreshToken",
    "tokenType",
];

/// `body` is a token body: exactly TOKEN_KEYS.
pub fn assert_tokens(body: &Value) {
    assert_eq!(keys(body), TOKEN_KEYS, "{body}");
}

/// `/login` by `method` (EMAIL_OTP, SMS_OTP) for `user`: the OTP_CODE step, checked.
pub fn otp_step(api: &Api, user: &str, method: &str) -> Value {
    let step = api
        .post("/login", json!({"username": user, "method": method}))
        .expect(200)
        .clone();
    assert_eq!(
        keys(&step),
        ["loginSession", "method", "nextStep"],
        "{step}"
    );
    assert_eq!(
        (step["nextStep"].as_str(), step["method"].as_str()),
        (Some("OTP_CODE"), Some(method))
    );
    step
}
