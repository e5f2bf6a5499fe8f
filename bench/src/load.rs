//! A closed-loop load generator: `connections` keep-alive HTTP/1.1 connections, each sending its next
//! request as soon as the previous answer arrived, for a fixed time.

use crate::client::{Connection, Error};
use bytes::Bytes;
use std::time::{Duration, Instant};

pub struct LoadResult {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Latency of every successful request, in milliseconds.
    pub latencies_ms: Vec<f64>,
}

pub async fn run(
    authority: &str,
    path: &str,
    headers: &[(String, String)],
    body: Bytes,
    connections: usize,
    duration: Duration,
) -> Result<LoadResult, Error> {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..connections {
        let mut connection = Connection::open(authority).await?;
        let path = path.to_owned();
        let headers = headers.to_vec();
        let body = body.clone();
        tasks.spawn(async move {
            let headers: Vec<(&str, &str)> = headers
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let mut latencies = Vec::with_capacity(4096);
            let mut errors = 0u64;
            while Instant::now() < deadline {
                let sent = Instant::now();
                match connection
                    .send(http::Method::POST, &path, &headers, body.clone())
                    .await
                {
                    Ok((200, _)) => latencies.push(sent.elapsed().as_secs_f64() * 1000.0),
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        break;
                    }
                }
            }
            (latencies, errors)
        });
    }
    let mut result = LoadResult {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies_ms: Vec::new(),
    };
    while let Some(joined) = tasks.join_next().await {
        let (latencies, errors) = joined?;
        result.requests += latencies.len() as u64;
        result.errors += errors;
        result.latencies_ms.extend(latencies);
    }
    result.elapsed = started.elapsed();
    Ok(result)
}
