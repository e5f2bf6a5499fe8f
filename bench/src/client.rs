//! A minimal HTTP/1.1 client over hyper: one keep-alive connection, requests in sequence. Used for the
//! emulator set-up calls and by the load generator.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

pub type Error = Box<dyn std::error::Error + Send + Sync>;

pub struct Connection {
    authority: String,
    sender: SendRequest<Full<Bytes>>,
}

/// `http://host:port[/path]` → ("host:port", "/path").
pub fn split_url(url: &str) -> Result<(String, String), Error> {
    let uri: http::Uri = url.parse()?;
    let authority = uri
        .authority()
        .ok_or_else(|| format!("no host in {url:?}"))?
        .to_string();
    let path = uri
        .path_and_query()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "/".into());
    Ok((authority, path))
}

impl Connection {
    pub async fn open(authority: &str) -> Result<Connection, Error> {
        let stream = TcpStream::connect(authority).await?;
        stream.set_nodelay(true)?;
        let (sender, connection) =
            hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
        tokio::spawn(async move {
            let _ = connection.await;
        });
        Ok(Connection {
            authority: authority.to_owned(),
            sender,
        })
    }

    pub async fn send(
        &mut self,
        method: http::Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Bytes,
    ) -> Result<(u16, Bytes), Error> {
        let mut builder = http::Request::builder()
            .method(method)
            .uri(path)
            .header(http::header::HOST, &self.authority);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        self.sender.ready().await?;
        let response = self
            .sender
            .send_request(builder.body(Full::new(body))?)
            .await?;
        let status = response.status().as_u16();
        let body = response.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

/// One request on a fresh connection.
pub async fn request(
    method: http::Method,
    url: &str,
    headers: &[(&str, &str)],
    body: impl Into<Bytes>,
) -> Result<(u16, Bytes), Error> {
    let (authority, path) = split_url(url)?;
    Connection::open(&authority)
        .await?
        .send(method, &path, headers, body.into())
        .await
}
