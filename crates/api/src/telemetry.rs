//! Logging with `tracing` to stderr (stdout carries only the "listening" line).
//! `serve` writes through a background thread ([`init_non_blocking`]); CLI commands write
//! synchronously ([`init`]).

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

use crate::settings::{LogFormat, Settings};

/// Logging for short-lived commands (migrate, user, 2fa, keys): written synchronously, so every
/// line is out before the process exits, whatever the exit path.
pub fn init(settings: &Settings) {
    install(settings, std::io::stderr);
}

/// Logging for `serve`: formatted on the calling thread, written to stderr by a dedicated
/// thread, so the actix workers never wait on the `write` syscall (5.8 % of the server's CPU
/// was synchronous stderr writes under load, docs/benchmarks.md (4a)).
///
/// Keep the returned guard alive until the process exits: dropping it flushes what is queued
/// (on a normal return, after SIGTERM's graceful stop, and before `main` prints an error).
///
/// The queue is bounded (tracing-appender's default of 128,000 lines), so a log flood cannot
/// grow memory without limit. It is not lossy: a full queue makes the logging thread wait, as
/// the synchronous writer always did, instead of silently dropping lines (audit events are
/// mirrored to the log). That only happens when whoever reads stderr stops draining it.
pub fn init_non_blocking(settings: &Settings) -> WorkerGuard {
    // Buffered: the writer thread flushes after each batch it takes off the queue, so one
    // `write` carries many lines under load and every line is out as soon as the queue is empty.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("twofa-log")
        .finish(std::io::BufWriter::new(std::io::stderr()));
    install(settings, writer);
    guard
}

fn install<W>(settings: &Settings, writer: W)
where
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    let filter = EnvFilter::try_new(&settings.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(ansi);
    // A second init (tests calling twice) is harmless; ignore the error.
    let _ = match settings.log_format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// One line per request: method, path (never the query string or body), status, duration.
pub async fn request_log(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = req.path().to_owned();
    let response = next.call(req).await;
    let status = match &response {
        Ok(res) => res.status().as_u16(),
        Err(err) => err.as_response_error().status_code().as_u16(),
    };
    tracing::info!(
        %method,
        path,
        status,
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    response
}
