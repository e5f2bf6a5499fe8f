//! A canned-response stand-in for Cognito: fixed JSON keyed on `X-Amz-Target`, so that what is measured
//! is the caller's own code path, not the service. It answers InitiateAuth (tokens, or the SRP
//! PASSWORD_VERIFIER challenge the original library asks for), RespondToAuthChallenge (tokens) and
//! GetUser (a profile). Nothing is checked: any password and any proof pass.

use crate::client::Error;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use tokio::net::TcpListener;

pub struct Stub {
    pub url: String,
    pub calls: Arc<AtomicU64>,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Stub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

fn b64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// An unsigned JWT-shaped token with the claims both implementations read (`exp`, `token_use`).
pub fn fake_jwt(token_use: &str, username: &str) -> String {
    let header = br#"{"kid":"bench","alg":"RS256"}"#;
    let claims = serde_json::json!({
        "sub": "00000000-0000-4000-8000-000000000000",
        "token_use": token_use,
        "username": username,
        "cognito:username": username,
        "client_id": "benchclient",
        "aud": "benchclient",
        "iss": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_bench",
        "iat": 1_700_000_000u64,
        "auth_time": 1_700_000_000u64,
        "exp": 4_102_444_800u64, // 2100-01-01
    });
    format!(
        "{}.{}.{}",
        b64url(header),
        b64url(claims.to_string().as_bytes()),
        b64url(b"not-a-signature")
    )
}

struct Canned {
    tokens: Bytes,
    srp_challenge: Bytes,
    user: Bytes,
}

impl Stub {
    pub async fn start() -> Result<Stub, Error> {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await?;
        let url = format!("http://{}", listener.local_addr()?);
        let username = "bench-user";
        let canned = Arc::new(Canned {
            tokens: serde_json::json!({
                "AuthenticationResult": {
                    "AccessToken": fake_jwt("access", username),
                    "IdToken": fake_jwt("id", username),
                    "RefreshToken": "eyJjdHkiOiJKV1QiLCJlbmMiOiJBMjU2R0NNIiwiYWxnIjoiUlNBLU9BRVAifQ.bench-refresh",
                    "ExpiresIn": 3600,
                    "TokenType": "Bearer"
                },
                "ChallengeParameters": {}
            })
            .to_string()
            .into(),
            // Any B that is not 0 mod N will do: the client cannot tell a real proof from this one.
            srp_challenge: serde_json::json!({
                "ChallengeName": "PASSWORD_VERIFIER",
                "ChallengeParameters": {
                    "SALT": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
                    "SECRET_BLOCK": "YmVuY2gtc2VjcmV0LWJsb2NrLWJlbmNoLXNlY3JldC1ibG9jaw==",
                    "SRP_B": "7b6a9f8e1c2d3b4a5968778695a4b3c2d1e0f9e8d7c6b5a4938271605f4e3d2c1b0a99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa99887766554433221100ffeeddccbbaa",
                    "USERNAME": username,
                    "USER_ID_FOR_SRP": username
                }
            })
            .to_string()
            .into(),
            user: serde_json::json!({
                "Username": username,
                "UserAttributes": [
                    {"Name": "sub", "Value": "00000000-0000-4000-8000-000000000000"},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "email", "Value": "bench-user@example.com"}
                ]
            })
            .to_string()
            .into(),
        });
        let calls = Arc::new(AtomicU64::new(0));
        let counter = calls.clone();
        let server = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let _ = stream.set_nodelay(true);
                let canned = canned.clone();
                let counter = counter.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        counter.fetch_add(1, Ordering::Relaxed);
                        answer(canned.clone(), request)
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(Stub { url, calls, server })
    }
}

async fn answer(
    canned: Arc<Canned>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, std::convert::Infallible> {
    let target = request
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .rsplit('.')
        .next()
        .unwrap_or("")
        .to_owned();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let (status, payload) = match target.as_str() {
        "InitiateAuth" if is_srp(&body) => (200, canned.srp_challenge.clone()),
        "InitiateAuth" | "RespondToAuthChallenge" => (200, canned.tokens.clone()),
        "GetUser" => (200, canned.user.clone()),
        // The rate limits' counters (DynamoDB, same endpoint): every counter takes.
        "UpdateItem" => (200, Bytes::from_static(b"{}")),
        _ => (
            400,
            Bytes::from(format!(
                r#"{{"__type":"InvalidParameterException","message":"the stub does not answer {target:?}"}}"#
            )),
        ),
    };
    let mut response = Response::new(Full::new(payload));
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap();
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/x-amz-json-1.1"),
    );
    response.headers_mut().insert(
        "x-amzn-requestid",
        http::HeaderValue::from_static("00000000-0000-0000-0000-000000000000"),
    );
    Ok(response)
}

fn is_srp(body: &[u8]) -> bool {
    // A substring test: the stub must cost as little as possible.
    body.windows(13).any(|w| w == b"USER_SRP_AUTH")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64url_without_padding() {
        assert_eq!(b64url(b""), "");
        assert_eq!(b64url(b"f"), "Zg");
        assert_eq!(b64url(b"fo"), "Zm8");
        assert_eq!(b64url(b"foo"), "Zm9v");
        assert_eq!(b64url(b"\xfb\xff"), "-_8");
    }
}
