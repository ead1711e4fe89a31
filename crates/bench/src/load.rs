//! The load generator: N keep-alive HTTP/1.1 connections on 127.0.0.1, closed loop (as fast as
//! answers come back) or paced to a total rate, bounded by a duration and a request count.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::header::{CONTENT_TYPE, HOST, ORIGIN};
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// One request to send.
pub struct Req {
    pub method: Method,
    pub path: String,
    pub body: Bytes,
}

impl Req {
    pub fn post_json(path: &str, body: &serde_json::Value) -> Self {
        Req {
            method: Method::POST,
            path: path.to_owned(),
            body: Bytes::from(body.to_string()),
        }
    }
}

/// Judges an answer by (status, body).
pub type Expect = Box<dyn Fn(u16, &[u8]) -> bool + Send + Sync>;

/// What the connections send and which answers count as the expected outcome.
pub struct Workload {
    pub name: String,
    /// Builds request number `seq` (global across connections).
    pub next: Box<dyn Fn(u64) -> Req + Send + Sync>,
    /// Whether (status, body) is the answer this workload is about.
    pub expect: Expect,
}

#[derive(Clone, Copy, Debug)]
pub struct Spec {
    pub connections: usize,
    pub duration: Duration,
    /// Hard bound on requests sent, whatever the duration.
    pub max_requests: u64,
    /// Total requests per second over all connections; None = closed loop.
    pub rate: Option<f64>,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub expected: u64,
    /// Unexpected answers by "status code-name" (e.g. "401 challenge_invalid").
    pub unexpected: BTreeMap<String, u64>,
    pub transport_errors: u64,
    pub elapsed: Duration,
    /// Latency of every expected answer, microseconds, sorted.
    pub latencies_us: Vec<u32>,
}

impl Outcome {
    pub fn rps(&self) -> f64 {
        self.expected as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let idx = ((self.latencies_us.len() - 1) as f64 * q).round() as usize;
        f64::from(self.latencies_us[idx]) / 1000.0
    }

    pub fn p50_ms(&self) -> f64 {
        self.quantile_ms(0.50)
    }

    pub fn p99_ms(&self) -> f64 {
        self.quantile_ms(0.99)
    }

    pub fn total(&self) -> u64 {
        self.expected + self.unexpected.values().sum::<u64>() + self.transport_errors
    }

    /// Fails unless most answers were the expected ones: a figure built on errors is no figure.
    pub fn check(&self, name: &str) -> anyhow::Result<()> {
        let total = self.total();
        ensure!(
            self.expected > 0 && self.expected * 100 >= total * 98,
            "{name}: only {} of {total} answers were the expected ones (unexpected: {:?}, \
             transport errors: {})",
            self.expected,
            self.unexpected,
            self.transport_errors
        );
        Ok(())
    }

    pub fn summary(&self) -> String {
        let mut s = format!(
            "{:.0} req/s, p50 {:.2} ms, p99 {:.2} ms, {} ok",
            self.rps(),
            self.p50_ms(),
            self.p99_ms(),
            self.expected
        );
        if !self.unexpected.is_empty() {
            s.push_str(&format!(", unexpected {:?}", self.unexpected));
        }
        if self.transport_errors > 0 {
            s.push_str(&format!(", transport errors {}", self.transport_errors));
        }
        s
    }
}

#[derive(Default)]
struct ConnResult {
    expected: u64,
    unexpected: BTreeMap<String, u64>,
    transport_errors: u64,
    latencies_us: Vec<u32>,
}

async fn connect(addr: SocketAddr) -> anyhow::Result<SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connect {addr}"))?;
    stream.set_nodelay(true)?;
    let (sender, conn) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        // The connection ends when the sender is dropped or the server closes it.
        let _ = conn.await;
    });
    Ok(sender)
}

/// Name of an unexpected answer: status plus the API error code when the body has one.
fn describe(status: u16, body: &[u8]) -> String {
    let code = serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v["error"]["code"].as_str().map(str::to_owned))
        .unwrap_or_default();
    format!("{status} {code}").trim_end().to_owned()
}

pub fn build_request(addr: SocketAddr, req: Req, bearer: Option<&str>) -> Request<Full<Bytes>> {
    let host = addr.to_string();
    let mut builder = Request::builder()
        .method(req.method)
        .uri(req.path.as_str())
        .header(HOST, &host)
        .header(ORIGIN, format!("http://{host}"))
        .header(CONTENT_TYPE, "application/json");
    if let Some(token) = bearer {
        builder = builder.header("authorization", format!("Bearer {token}"));
    }
    builder
        .body(Full::new(req.body))
        .expect("static request parts are valid")
}

/// Sends one request on `sender`; returns status and body.
pub async fn send(
    sender: &mut SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> anyhow::Result<(u16, Bytes)> {
    sender.ready().await?;
    let response = sender.send_request(request).await?;
    let status = response.status().as_u16();
    let body = response.into_body().collect().await?.to_bytes();
    Ok((status, body))
}

async fn one_connection(
    addr: SocketAddr,
    work: Arc<Workload>,
    spec: Spec,
    deadline: Instant,
    counter: Arc<AtomicU64>,
) -> ConnResult {
    let mut out = ConnResult::default();
    let mut sender: Option<SendRequest<Full<Bytes>>> = None;
    let mut pace = spec.rate.map(|rate| {
        let per_conn = (rate / spec.connections as f64).max(0.1);
        let mut iv = tokio::time::interval(Duration::from_secs_f64(1.0 / per_conn));
        iv.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        iv
    });
    while Instant::now() < deadline {
        if let Some(iv) = pace.as_mut() {
            iv.tick().await;
            if Instant::now() >= deadline {
                break;
            }
        }
        let seq = counter.fetch_add(1, Ordering::Relaxed);
        if seq >= spec.max_requests {
            break;
        }
        if sender.is_none() {
            match connect(addr).await {
                Ok(s) => sender = Some(s),
                Err(_) => {
                    out.transport_errors += 1;
                    // Back off so a dead server ends the run by its deadline, not by a spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            }
        }
        let request = build_request(addr, (work.next)(seq), None);
        let started = Instant::now();
        let s = sender.as_mut().expect("connected above");
        match send(s, request).await {
            Ok((status, body)) => {
                let us = u32::try_from(started.elapsed().as_micros()).unwrap_or(u32::MAX);
                if (work.expect)(status, &body) {
                    out.expected += 1;
                    out.latencies_us.push(us);
                } else {
                    *out.unexpected.entry(describe(status, &body)).or_default() += 1;
                }
            }
            Err(_) => {
                out.transport_errors += 1;
                sender = None;
            }
        }
    }
    out
}

/// Runs `work` against `addr` per `spec` and gathers every connection's answers.
pub async fn run(addr: SocketAddr, work: Arc<Workload>, spec: Spec) -> Outcome {
    let started = Instant::now();
    let deadline = started + spec.duration;
    let counter = Arc::new(AtomicU64::new(0));
    let tasks: Vec<_> = (0..spec.connections)
        .map(|_| {
            tokio::spawn(one_connection(
                addr,
                work.clone(),
                spec,
                deadline,
                counter.clone(),
            ))
        })
        .collect();
    let mut outcome = Outcome::default();
    for task in tasks {
        let r = task.await.unwrap_or_default();
        outcome.expected += r.expected;
        outcome.transport_errors += r.transport_errors;
        for (k, v) in r.unexpected {
            *outcome.unexpected.entry(k).or_default() += v;
        }
        outcome.latencies_us.extend(r.latencies_us);
    }
    outcome.elapsed = started.elapsed();
    outcome.latencies_us.sort_unstable();
    outcome
}

/// One-off JSON call for set-up steps (not timed).
pub async fn call(
    addr: SocketAddr,
    req: Req,
    bearer: Option<&str>,
) -> anyhow::Result<(u16, serde_json::Value)> {
    let mut sender = connect(addr).await?;
    let path = req.path.clone();
    let (status, body) = send(&mut sender, build_request(addr, req, bearer))
        .await
        .with_context(|| format!("request to {path}"))?;
    let value = if body.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null)
    };
    Ok((status, value))
}
