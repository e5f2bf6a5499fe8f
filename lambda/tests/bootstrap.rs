//! The built binary, run as Lambda runs `bootstrap`: under a Runtime API (a small fake here), with the
//! Lambda environment and a `ROUTE`. It must serve the route its `ROUTE` names, through the real
//! lambda_runtime loop, and refuse to start without a valid one.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const BINARY: &str = env!("CARGO_BIN_EXE_lambda-function");

struct Request {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// One HTTP/1.1 request from a keep-alive connection (Content-Length or chunked body); None at EOF.
fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (k, v) = line.split_once(':')?;
        headers.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    if let Some(length) = request.header("content-length") {
        let mut body = vec![0; length.parse().ok()?];
        reader.read_exact(&mut body).ok()?;
        request.body = body;
    } else if request
        .header("transfer-encoding")
        .is_some_and(|t| t.eq_ignore_ascii_case("chunked"))
    {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size).ok()?;
            let size = usize::from_str_radix(size.trim(), 16).ok()?;
            let mut chunk = vec![0; size + 2];
            reader.read_exact(&mut chunk).ok()?;
            if size == 0 {
                break;
            }
            request.body.extend_from_slice(&chunk[..size]);
        }
    }
    Some(request)
}

fn respond(stream: &mut TcpStream, status: u16, headers: &[(&str, String)], body: &[u8]) {
    let mut head = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

/// Serves every connection of `listener` on its own thread with `answer`; `None` leaves the request
/// unanswered (a long poll that never returns).
fn serve(
    listener: TcpListener,
    answer: impl Fn(&Request) -> Option<(u16, Vec<(&'static str, String)>, Vec<u8>)>
        + Send
        + Sync
        + 'static,
) {
    let answer = std::sync::Arc::new(answer);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let answer = answer.clone();
            thread::spawn(move || {
                let mut writer = stream.try_clone().unwrap();
                let mut reader = BufReader::new(stream);
                while let Some(request) = read_request(&mut reader) {
                    match answer(&request) {
                        Some((status, headers, body)) => {
                            respond(&mut writer, status, &headers, &body)
                        }
                        None => thread::sleep(Duration::from_secs(3600)),
                    }
                }
            });
        }
    });
}

fn listener() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap().to_string();
    (listener, address)
}

/// A Cognito that refuses every password; reports each call's X-Amz-Target.
fn cognito() -> (String, mpsc::Receiver<String>) {
    let (listener, address) = listener();
    let (calls, received) = mpsc::channel();
    let calls = std::sync::Mutex::new(calls);
    serve(listener, move |request| {
        let target = request.header("x-amz-target").unwrap_or("").to_owned();
        calls.lock().unwrap().send(target).unwrap();
        let body = json!({"__type": "NotAuthorizedException", "message": "Incorrect username or password."});
        Some((
            400,
            vec![
                ("content-type", "application/x-amz-json-1.1".to_owned()),
                ("x-amzn-errortype", "NotAuthorizedException".to_owned()),
            ],
            body.to_string().into_bytes(),
        ))
    });
    (format!("http://{address}"), received)
}

/// A Runtime API that hands out `event` once and reports the function's answer (or error) to it.
fn runtime_api(event: Vec<u8>) -> (String, mpsc::Receiver<(String, Value)>) {
    let (listener, address) = listener();
    let (answers, received) = mpsc::channel();
    let answers = std::sync::Mutex::new(answers);
    let handed_out = std::sync::atomic::AtomicBool::new(false);
    serve(listener, move |request| {
        if request.method == "GET" && request.path.ends_with("/invocation/next") {
            if handed_out.swap(true, std::sync::atomic::Ordering::SeqCst) {
                return None;
            }
            let deadline =
                SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(30);
            return Some((
                200,
                vec![
                    ("content-type", "application/json".to_owned()),
                    ("lambda-runtime-aws-request-id", "request-1".to_owned()),
                    (
                        "lambda-runtime-deadline-ms",
                        deadline.as_millis().to_string(),
                    ),
                    (
                        "lambda-runtime-invoked-function-arn",
                        "arn:aws:lambda:us-east-1:123456789012:function:test".to_owned(),
                    ),
                    (
                        "lambda-runtime-trace-id",
                        "Root=1-00000000-000000000000000000000000".to_owned(),
                    ),
                ],
                event.clone(),
            ));
        }
        let kind = request.path.rsplit('/').next().unwrap_or("").to_owned();
        let body = serde_json::from_slice(&request.body).unwrap_or(Value::Null);
        answers.lock().unwrap().send((kind, body)).unwrap();
        Some((202, vec![], b"{}".to_vec()))
    });
    (address, received)
}

fn lambda_environment(command: &mut Command, runtime_api: &str, cognito: &str) {
    command
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("AWS_LAMBDA_RUNTIME_API", runtime_api)
        .env("AWS_LAMBDA_FUNCTION_NAME", "test")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/test")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "test")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_ENDPOINT_URL", cognito)
        .env("USER_POOL_ID", "us-east-1_test")
        .env("USER_POOL_CLIENT_ID", "testclient")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
}

fn event(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../events")
        .join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Runs the binary with `route` on `event`; its answer to the Runtime API and the Cognito calls made.
fn invoke(route: &str, event: Vec<u8>) -> ((String, Value), Vec<String>) {
    let (cognito, calls) = cognito();
    let (api, answers) = runtime_api(event);
    let mut command = Command::new(BINARY);
    lambda_environment(&mut command, &api, &cognito);
    command.env("ROUTE", route);
    let _running = Running(command.spawn().unwrap());
    let answer = answers
        .recv_timeout(Duration::from_secs(20))
        .expect("the function answers the Runtime API");
    (answer, calls.try_iter().collect())
}

#[test]
fn the_route_its_route_variable_names_is_what_it_serves() {
    let ((kind, answer), calls) = invoke("/login", event("login"));
    assert_eq!(kind, "response", "{answer}");
    assert_eq!(answer["statusCode"], 401, "{answer}");
    let body: Value = serde_json::from_str(answer["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["code"], "not_authorized", "{body}");
    assert_eq!(calls, ["AWSCognitoIdentityProviderService.InitiateAuth"]);

    // The same event to a function whose ROUTE is /signup is handled as a sign-up: no InitiateAuth.
    let ((kind, answer), calls) = invoke("/signup", event("login"));
    assert_eq!(kind, "response", "{answer}");
    assert!(
        !calls.iter().any(|c| c.ends_with(".InitiateAuth")),
        "{calls:?}"
    );
    assert_ne!(answer["statusCode"], 200, "{answer}");
}

fn start_without_runtime(route: Option<&str>) -> Output {
    let mut command = Command::new(BINARY);
    // A Runtime API that refuses connections: the process must fail before it gets that far.
    lambda_environment(&mut command, "127.0.0.1:1", "http://127.0.0.1:1");
    if let Some(route) = route {
        command.env("ROUTE", route);
    }
    let mut child = command.spawn().unwrap();
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the process did not exit"
        );
        thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn without_a_valid_route_it_fails_its_init_with_a_sentence() {
    for (route, expected) in [
        (None, "ROUTE is not set"),
        (
            Some("login"),
            "ROUTE is \"login\", which is no route of this API",
        ),
    ] {
        let output = start_without_runtime(route);
        assert!(!output.status.success(), "{route:?}: exits with a failure");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(expected), "{route:?}: {stderr}");
    }
}
