//! A local Lambda Runtime API (2018-06-01) for one function process, and the process itself.
//!
//! Each spawned process gets its own Runtime API server on a free loopback port, so timings of one
//! process never mix with another's. The harness queues an event; the process's `GET .../next` long
//! poll receives it; `POST .../{id}/response` (or `/error`) completes it.

use crate::client::Error;
use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};

const PREFIX: &str = "/2018-06-01/runtime";

/// What the runtime answered for one event.
#[derive(Debug)]
pub enum Outcome {
    /// The function's response payload (API Gateway v2 response JSON) and when it fully arrived.
    Response(Bytes, Instant),
    /// `/invocation/{id}/error`.
    Error(String),
}

struct Pending {
    event: Bytes,
    reply: oneshot::Sender<Outcome>,
}

struct State {
    function_name: String,
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Pending>>,
    inflight: Mutex<HashMap<String, oneshot::Sender<Outcome>>>,
    first_poll: Mutex<Option<Instant>>,
    init_error: Mutex<Option<String>>,
    counter: AtomicU64,
}

pub struct RuntimeApi {
    pub addr: SocketAddr,
    state: Arc<State>,
    queue: mpsc::UnboundedSender<Pending>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for RuntimeApi {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl RuntimeApi {
    pub async fn start(function_name: &str) -> Result<RuntimeApi, Error> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let addr = listener.local_addr()?;
        let (queue, rx) = mpsc::unbounded_channel();
        let state = Arc::new(State {
            function_name: function_name.to_owned(),
            queue: tokio::sync::Mutex::new(rx),
            inflight: Mutex::new(HashMap::new()),
            first_poll: Mutex::new(None),
            init_error: Mutex::new(None),
            counter: AtomicU64::new(0),
        });
        let shared = state.clone();
        let server = tokio::spawn(async move {
            let mut connections = tokio::task::JoinSet::new();
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let state = shared.clone();
                connections.spawn(async move {
                    let service = service_fn(move |request| serve(state.clone(), request));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(RuntimeApi {
            addr,
            state,
            queue,
            server,
        })
    }

    /// Queues an event; the receiver completes when the function answers it.
    pub fn enqueue(&self, event: Bytes) -> oneshot::Receiver<Outcome> {
        let (reply, rx) = oneshot::channel();
        let _ = self.queue.send(Pending { event, reply });
        rx
    }

    pub fn first_poll(&self) -> Option<Instant> {
        *self.state.first_poll.lock().unwrap()
    }

    pub fn init_error(&self) -> Option<String> {
        self.state.init_error.lock().unwrap().clone()
    }
}

fn reply(status: StatusCode, body: impl Into<Bytes>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body.into()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    response
}

async fn serve(
    state: Arc<State>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Ok(reply(StatusCode::NOT_FOUND, "{}"));
    };
    if method == Method::GET && rest == "/invocation/next" {
        state
            .first_poll
            .lock()
            .unwrap()
            .get_or_insert_with(Instant::now);
        let pending = state.queue.lock().await.recv().await;
        let Some(pending) = pending else {
            return Ok(reply(StatusCode::GONE, "{}"));
        };
        let id = format!("bench-{:08}", state.counter.fetch_add(1, Ordering::Relaxed));
        state
            .inflight
            .lock()
            .unwrap()
            .insert(id.clone(), pending.reply);
        let deadline =
            SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(30);
        let mut response = reply(StatusCode::OK, pending.event);
        let headers = response.headers_mut();
        let mut set = |name: &'static str, value: String| {
            headers.insert(name, value.parse().unwrap());
        };
        set("lambda-runtime-aws-request-id", id.clone());
        set(
            "lambda-runtime-deadline-ms",
            deadline.as_millis().to_string(),
        );
        set(
            "lambda-runtime-invoked-function-arn",
            format!(
                "arn:aws:lambda:us-east-1:123456789012:function:{}",
                state.function_name
            ),
        );
        set(
            "lambda-runtime-trace-id",
            format!("Root=1-00000000-{id:0>24};Parent=0000000000000000;Sampled=0"),
        );
        return Ok(response);
    }
    if method != Method::POST {
        return Ok(reply(StatusCode::METHOD_NOT_ALLOWED, "{}"));
    }
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let arrived = Instant::now();
    if rest == "/init/error" {
        *state.init_error.lock().unwrap() = Some(String::from_utf8_lossy(&body).into_owned());
        return Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#));
    }
    let Some(rest) = rest.strip_prefix("/invocation/") else {
        return Ok(reply(StatusCode::NOT_FOUND, "{}"));
    };
    let (id, outcome) = if let Some(id) = rest.strip_suffix("/response") {
        (id, Outcome::Response(body, arrived))
    } else if let Some(id) = rest.strip_suffix("/error") {
        (
            id,
            Outcome::Error(String::from_utf8_lossy(&body).into_owned()),
        )
    } else {
        return Ok(reply(StatusCode::NOT_FOUND, "{}"));
    };
    match state.inflight.lock().unwrap().remove(id) {
        Some(sender) => {
            let _ = sender.send(outcome);
            Ok(reply(StatusCode::ACCEPTED, r#"{"status":"OK"}"#))
        }
        None => Ok(reply(
            StatusCode::BAD_REQUEST,
            r#"{"errorType":"InvalidRequestID","errorMessage":"unknown request id"}"#,
        )),
    }
}

/// How to start a function: the program, its arguments and its own environment (the Lambda variables
/// are added by `Function::spawn`).
#[derive(Clone, Debug)]
pub struct Launch {
    pub program: PathBuf,
    pub args: Vec<String>,
    pub env: Vec<(String, String)>,
    /// Where the process's stdout and stderr go (appended).
    pub log: Option<PathBuf>,
}

/// One function process ("container") and its Runtime API.
pub struct Function {
    pub api: RuntimeApi,
    child: Child,
    pub spawned: Instant,
}

impl Drop for Function {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What a cold start measured, in milliseconds from spawn.
#[derive(Debug, Clone, Copy)]
pub struct Cold {
    pub init_ms: f64,
    pub first_answer_ms: f64,
}

impl Function {
    /// Starts the process with the Lambda environment, pointing at a fresh Runtime API.
    /// When `first_event` is given it is queued before the process starts (a cold invocation).
    pub async fn spawn(
        function_name: &str,
        launch: &Launch,
        first_event: Option<Bytes>,
    ) -> Result<(Function, Option<oneshot::Receiver<Outcome>>), Error> {
        let api = RuntimeApi::start(function_name).await?;
        let first = first_event.map(|event| api.enqueue(event));
        let mut command = Command::new(&launch.program);
        command
            .args(&launch.args)
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_LAMBDA_RUNTIME_API", api.addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", function_name)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{function_name}"),
            )
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_DEFAULT_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "bench")
            .env("AWS_SECRET_ACCESS_KEY", "bench")
            .env("AWS_SESSION_TOKEN", "bench")
            .env("TZ", ":UTC")
            .stdin(Stdio::null());
        for (k, v) in &launch.env {
            command.env(k, v);
        }
        match &launch.log {
            Some(path) => {
                let file = std::fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(path)?;
                command.stdout(file.try_clone()?).stderr(file);
            }
            None => {
                command.stdout(Stdio::null()).stderr(Stdio::null());
            }
        }
        let spawned = Instant::now();
        let child = command
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", launch.program.display()))?;
        Ok((
            Function {
                api,
                child,
                spawned,
            },
            first,
        ))
    }

    /// Waits for an answer, failing early when the process exits or reports an init error.
    pub async fn wait(
        &mut self,
        mut rx: oneshot::Receiver<Outcome>,
        timeout: Duration,
    ) -> Result<(Bytes, Instant), Error> {
        let deadline = Instant::now() + timeout;
        loop {
            match tokio::time::timeout(Duration::from_millis(50), &mut rx).await {
                Ok(Ok(Outcome::Response(body, at))) => return Ok((body, at)),
                Ok(Ok(Outcome::Error(e))) => return Err(format!("invocation error: {e}").into()),
                Ok(Err(_)) => return Err("the runtime API dropped the event".into()),
                Err(_) => {
                    if let Some(e) = self.api.init_error() {
                        return Err(format!("init error: {e}").into());
                    }
                    if let Some(status) = self.child.try_wait()? {
                        return Err(format!("the function exited ({status})").into());
                    }
                    if Instant::now() > deadline {
                        return Err("the function did not answer in time".into());
                    }
                }
            }
        }
    }

    /// A cold start: spawn with `event` queued, wait for its answer.
    pub async fn cold(
        function_name: &str,
        launch: &Launch,
        event: Bytes,
    ) -> Result<(Function, Cold, Bytes), Error> {
        let (mut function, rx) = Function::spawn(function_name, launch, Some(event)).await?;
        let (body, at) = function.wait(rx.unwrap(), Duration::from_secs(60)).await?;
        let init = function
            .api
            .first_poll()
            .ok_or("answered without polling?")?;
        let cold = Cold {
            init_ms: ms(init - function.spawned),
            first_answer_ms: ms(at - function.spawned),
        };
        Ok((function, cold, body))
    }

    /// A warm invocation: the process is already polling; milliseconds from queueing to answer.
    pub async fn invoke(&mut self, event: Bytes) -> Result<(f64, Bytes), Error> {
        let start = Instant::now();
        let rx = self.api.enqueue(event);
        let (body, at) = self.wait(rx, Duration::from_secs(60)).await?;
        Ok((ms(at - start), body))
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Peak resident set size so far (VmHWM), in MiB.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        proc_status_kib(self.pid(), "VmHWM:").map(|kib| kib as f64 / 1024.0)
    }

    /// User + system CPU seconds of the whole process so far.
    pub fn cpu_seconds(&self) -> Option<f64> {
        cpu_seconds(self.pid())
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

pub fn proc_status_kib(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    line[field.len()..]
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// utime + stime from /proc/<pid>/stat (clock ticks of 1/100 s on Linux).
pub fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
}
