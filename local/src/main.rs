//! The local front door: serves every route on 127.0.0.1:$PORT (default 3000) with the same handler
//! code the Lambda functions run, and the API's contract (`openapi.yaml`, as JSON) at `GET /openapi.json`.

use bytes::Bytes;
use http::header::{HeaderValue, ALLOW};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use shared::body::MAX_BODY_BYTES;
use shared::http::{error_response, json_response, ApiRequest};
use shared::{ApiError, App, Operation};
use std::net::SocketAddr;
use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    shared::telemetry::init_local();
    let spec = openapi_json()?;
    let app = App::from_env().await?;
    let port: u16 = match std::env::var("PORT") {
        Ok(p) if !p.is_empty() => p
            .parse()
            .map_err(|_| format!("PORT must be a port number, got {p:?}"))?,
        _ => 3000,
    };
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    // The one line on stdout: scripts and tests read the URL from it. It names `localhost` (the server
    // listens on 127.0.0.1, which localhost reaches), because a browser treats 127.0.0.1 and localhost
    // as different sites: a web app on localhost keeps its session cookie only from an API on localhost.
    println!(
        "API listening on http://localhost:{}",
        listener.local_addr()?.port()
    );
    loop {
        let (stream, _) = listener.accept().await?;
        let (app, spec) = (app.clone(), spec.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request| serve(app.clone(), spec.clone(), request));
            if let Err(err) = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(error = %err, "connection closed with an error");
            }
        });
    }
}

/// Where the contract is served, and the contract itself, compiled in.
const OPENAPI_PATH: &str = "/openapi.json";
const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

/// `openapi.yaml` converted to JSON, once at startup.
fn openapi_json() -> Result<Bytes, Box<dyn std::error::Error + Send + Sync>> {
    let spec: serde_json::Value = serde_norway::from_str(OPENAPI_YAML)
        .map_err(|err| format!("openapi.yaml is not valid YAML: {err}"))?;
    Ok(Bytes::from(serde_json::to_vec(&spec)?))
}

/// `GET /openapi.json` (HEAD too); any other method is 405.
fn openapi(method: &Method, spec: Bytes) -> Response<Full<Bytes>> {
    if method != Method::GET && method != Method::HEAD {
        let body = serde_json::json!({
            "code": ApiError::MethodNotAllowed.code(),
            "message": "This route only accepts GET.",
        });
        let allow = (ALLOW, HeaderValue::from_static("GET, HEAD"));
        return to_hyper(json_response(
            StatusCode::METHOD_NOT_ALLOWED,
            &body,
            vec![allow],
        ));
    }
    // The same headers as every other answer (Content-Type: application/json, Cache-Control: no-store).
    let (parts, _) =
        json_response(StatusCode::OK, &serde_json::Value::Null, Vec::new()).into_parts();
    Response::from_parts(parts, Full::new(spec))
}

async fn serve(
    app: App,
    spec: Bytes,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    if request.uri().path() == OPENAPI_PATH {
        return Ok(openapi(request.method(), spec));
    }
    let Some(operation) = Operation::from_path(request.uri().path()) else {
        return Ok(to_hyper(error_response(&ApiError::NotFound)));
    };
    let (parts, body) = request.into_parts();
    // Read at most one byte more than the limit: enough to know the body is too large, never more.
    let body = match Limited::new(body, MAX_BODY_BYTES + 1).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(err)
            if err
                .downcast_ref::<http_body_util::LengthLimitError>()
                .is_some() =>
        {
            return Ok(to_hyper(error_response(&ApiError::PayloadTooLarge {
                limit: MAX_BODY_BYTES,
            })));
        }
        Err(_) => {
            return Ok(to_hyper(error_response(&ApiError::invalid(
                "The request body could not be read.",
            ))))
        }
    };
    let method = if parts.method == Method::HEAD {
        Method::GET
    } else {
        parts.method
    };
    let response = app
        .handle(
            operation,
            ApiRequest {
                method,
                headers: parts.headers,
                body,
            },
        )
        .await;
    Ok(to_hyper(response))
}

fn to_hyper(response: shared::ApiResponse) -> Response<Full<Bytes>> {
    response.map(|body| Full::new(Bytes::from(body)))
}
