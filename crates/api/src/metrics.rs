//! Prometheus metrics at `/metrics`: sign-ins, challenges, failures by reason, lockouts and
//! request latency. Counters are fed from the audit events (one place that sees every security
//! outcome); labels take only fixed event/reason names and route patterns, so cardinality is bounded.

use std::sync::LazyLock;
use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::HttpResponse;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};

struct Metrics {
    registry: Registry,
    logins: IntCounterVec,
    challenges: IntCounterVec,
    failures: IntCounterVec,
    lockouts: IntCounter,
    throttled: IntCounterVec,
    events: IntCounterVec,
    latency: HistogramVec,
}

fn counter_vec(registry: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let counter = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    registry
        .register(Box::new(counter.clone()))
        .expect("unique metric");
    counter
}

static METRICS: LazyLock<Metrics> = LazyLock::new(|| {
    let registry = Registry::new();
    let lockouts = IntCounter::new(
        "twofa_lockouts_total",
        "Accounts locked after consecutive second-factor failures",
    )
    .expect("valid metric");
    registry
        .register(Box::new(lockouts.clone()))
        .expect("unique metric");
    let latency = HistogramVec::new(
        HistogramOpts::new(
            "twofa_http_request_duration_seconds",
            "HTTP request latency by route pattern",
        )
        .buckets(vec![
            0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
        ]),
        &["method", "route", "status"],
    )
    .expect("valid metric");
    registry
        .register(Box::new(latency.clone()))
        .expect("unique metric");
    Metrics {
        logins: counter_vec(
            &registry,
            "twofa_logins_total",
            "Completed sign-ins by the last factor used",
            &["factor"],
        ),
        challenges: counter_vec(
            &registry,
            "twofa_challenges_total",
            "Second-factor challenges by result",
            &["result"],
        ),
        failures: counter_vec(
            &registry,
            "twofa_auth_failures_total",
            "Failed authentication steps by event and reason",
            &["event", "reason"],
        ),
        throttled: counter_vec(
            &registry,
            "twofa_throttled_total",
            "Requests refused by a throttle",
            &["event"],
        ),
        events: counter_vec(
            &registry,
            "twofa_audit_events_total",
            "Audit events by name and outcome",
            &["event", "outcome"],
        ),
        lockouts,
        latency,
        registry,
    }
});

/// Counts one audit event. `event` and `reason` are fixed names from the code, never user input.
pub fn audit_event(event: &str, outcome: &str, reason: Option<&str>) {
    let m = &*METRICS;
    m.events.with_label_values(&[event, outcome]).inc();
    match event {
        // With 2FA on, the password step is half a sign-in (reason `2fa_required`).
        "auth.password.success" if reason != Some("2fa_required") => {
            m.logins.with_label_values(&["password"]).inc();
        }
        "2fa.challenge.issued" => m.challenges.with_label_values(&["issued"]).inc(),
        "2fa.challenge.success" => {
            m.challenges.with_label_values(&["success"]).inc();
            m.logins.with_label_values(&["second_factor"]).inc();
        }
        "2fa.challenge.failure" => m.challenges.with_label_values(&["failure"]).inc(),
        "2fa.locked" => m.lockouts.inc(),
        "auth.password.throttled" | "2fa.throttled" => {
            m.throttled.with_label_values(&[event]).inc();
        }
        _ => {}
    }
    if outcome == "failure" {
        // /metrics is readable without a session: the password step's reasons (unknown user,
        // wrong password, disabled account) would undo the identical 401s, so they share a label.
        let reason = match event {
            "auth.password.failure" => "invalid_credentials",
            _ => reason.unwrap_or("none"),
        };
        m.failures.with_label_values(&[event, reason]).inc();
    }
}

/// Times every request by its route pattern (`/api/admin/users/{id}`, not the concrete path).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let response = next.call(req).await;
    let (route, status) = match &response {
        Ok(res) => (
            res.request()
                .match_pattern()
                .unwrap_or_else(|| "unmatched".into()),
            res.status().as_u16(),
        ),
        Err(err) => (
            "unmatched".into(),
            err.as_response_error().status_code().as_u16(),
        ),
    };
    METRICS
        .latency
        .with_label_values(&[method.as_str(), route.as_str(), &status.to_string()])
        .observe(started.elapsed().as_secs_f64());
    response
}

/// `GET /metrics` in the Prometheus text format.
pub async fn endpoint() -> HttpResponse {
    let encoder = TextEncoder::new();
    let mut body = Vec::new();
    if let Err(err) = encoder.encode(&METRICS.registry.gather(), &mut body) {
        tracing::error!(error = %err, "encoding metrics failed");
        return HttpResponse::InternalServerError().finish();
    }
    HttpResponse::Ok()
        .content_type(encoder.format_type())
        .body(body)
}
