//! Driving the real server through its public API: first-run set-up, 2FA enrolment of the bench
//! users, and the request mixes the load generator sends.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use anyhow::{bail, ensure, Context};
use serde_json::{json, Value};
use twofa_core::{code_at, Secret, UnixTime};

use crate::load::{call, Req, Workload};

/// The password of every bench account (never a real credential).
pub const PASSWORD: &str = "bench-password-correct-horse-42";

pub struct BenchUser {
    pub name: String,
    pub secret: Secret,
}

/// Wall-clock seconds: the harness is outside the server and must agree with its real clock
/// (the release build has no test clock), e.g. to compute a code the server will accept.
#[allow(clippy::disallowed_methods)]
pub fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn expect(what: &str, status: u16, body: &Value, want: u16) -> anyhow::Result<()> {
    if status == 404 || status == 405 {
        bail!("{what}: endpoint missing in the server (HTTP {status})");
    }
    ensure!(
        status == want,
        "{what}: HTTP {status} (wanted {want}): {body}"
    );
    Ok(())
}

async fn login_token(addr: SocketAddr, name: &str) -> anyhow::Result<String> {
    let (status, body) = call(
        addr,
        Req::post_json(
            "/api/login",
            &json!({"username": name, "password": PASSWORD, "token": true}),
        ),
        None,
    )
    .await?;
    expect("POST /api/login", status, &body, 200)?;
    ensure!(body["status"] == "authenticated", "login of {name}: {body}");
    body["token"]
        .as_str()
        .map(str::to_owned)
        .context("login answered no bearer token")
}

/// Creates `count` accounts (first-run set-up, then the admin API when the server has one) and
/// enables 2FA on each through `/2fa/enable` + `/2fa/verify`. Returns the users and a note when
/// fewer accounts than asked could be made.
pub async fn enrol_users(
    addr: SocketAddr,
    count: usize,
) -> anyhow::Result<(Vec<BenchUser>, Option<String>)> {
    let admin = "bench0".to_owned();
    let (status, body) = call(
        addr,
        Req::post_json(
            "/api/setup",
            &json!({"username": admin, "password": PASSWORD}),
        ),
        None,
    )
    .await?;
    expect("POST /api/setup", status, &body, 201)?;
    let mut names = vec![admin.clone()];
    let mut note = None;
    if count > 1 {
        let token = login_token(addr, &admin).await?;
        for i in 1..count {
            let name = format!("bench{i}");
            let (status, body) = call(
                addr,
                Req::post_json(
                    "/api/admin/users",
                    &json!({"username": name, "password": PASSWORD}),
                ),
                Some(&token),
            )
            .await?;
            if status == 404 || status == 405 {
                note = Some(format!(
                    "the server has no user-creation API (POST /api/admin/users → {status}); the \
                     load runs over {} account(s) instead of {count}",
                    names.len()
                ));
                break;
            }
            ensure!(
                status == 201 || status == 200,
                "POST /api/admin/users: {status} {body}"
            );
            names.push(name);
        }
    }
    let mut users = Vec::new();
    for name in names {
        let token = login_token(addr, &name).await?;
        let (status, body) = call(
            addr,
            Req::post_json("/api/2fa/enable", &json!({"password": PASSWORD})),
            Some(&token),
        )
        .await?;
        expect("POST /api/2fa/enable", status, &body, 200)?;
        let secret = Secret::parse_base32(body["secret"].as_str().context("no secret")?)
            .map_err(|e| anyhow::anyhow!("enable returned an unreadable secret: {e:?}"))?;
        let code = code_at(&secret, UnixTime(unix_now()));
        let (status, body) = call(
            addr,
            Req::post_json("/api/2fa/verify", &json!({"code": code})),
            Some(&token),
        )
        .await?;
        expect("POST /api/2fa/verify", status, &body, 200)?;
        users.push(BenchUser { name, secret });
    }
    Ok((users, note))
}

/// A 6-digit code that matches none of `secrets` at any step from 10 minutes ago to an hour
/// ahead, so every answer in the run is the wrong-code path.
pub fn wrong_code<'a>(secrets: impl IntoIterator<Item = &'a Secret>) -> String {
    let now = unix_now();
    let mut taken = std::collections::HashSet::new();
    for s in secrets {
        let mut t = now.saturating_sub(600);
        while t <= now + 3600 {
            taken.insert(code_at(s, UnixTime(t)));
            t += 30;
        }
    }
    (0..1_000_000u32)
        .map(|k| format!("{:06}", (123_457 + k * 7_919) % 1_000_000))
        .find(|c| !taken.contains(c))
        .expect("a million codes cannot all be taken")
}

fn error_code(body: &[u8]) -> Option<String> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v["error"]["code"].as_str().map(str::to_owned)
}

/// Challenge ids handed out five requests each (a challenge burns after 5 failures).
pub struct ChallengePool {
    ids: Vec<String>,
    next: AtomicU64,
}

impl ChallengePool {
    pub fn new(ids: Vec<String>) -> Arc<Self> {
        Arc::new(ChallengePool {
            ids,
            next: AtomicU64::new(0),
        })
    }
}

/// Wrong-code answers to live challenges: 401 `invalid_code` is the expected outcome.
pub fn challenge_workload(pool: Arc<ChallengePool>, code: String) -> Workload {
    Workload {
        name: "challenge (wrong code)".into(),
        next: Box::new(move |_| {
            let k = pool.next.fetch_add(1, Ordering::Relaxed) / 5;
            let id = &pool.ids[(k as usize) % pool.ids.len()];
            Req::post_json(
                "/api/login/challenge",
                &json!({"challenge_id": id, "code": code, "token": true}),
            )
        }),
        expect: Box::new(|status, body| {
            status == 401 && error_code(body).as_deref() == Some("invalid_code")
        }),
    }
}

/// A malformed code: answered 400 `invalid_code_format` before any storage is touched, so it
/// measures framework, middleware and JSON cost only.
pub const CHALLENGE_PATH: &str = "/api/login/challenge";

/// A challenge answer whose code is malformed: refused before any storage.
pub fn format_error_body() -> serde_json::Value {
    json!({"challenge_id": "0".repeat(64), "code": "12a456"})
}

pub fn format_error_workload() -> Workload {
    let body = format_error_body();
    Workload {
        name: "challenge (malformed code)".into(),
        next: Box::new(move |_| Req::post_json(CHALLENGE_PATH, &body)),
        expect: Box::new(|status, body| {
            status == 400 && error_code(body).as_deref() == Some("invalid_code_format")
        }),
    }
}

/// Correct passwords of 2FA accounts: each answer is a fresh challenge (the full password step).
pub fn login_workload(names: Vec<String>) -> Workload {
    Workload {
        name: "login (password step)".into(),
        next: Box::new(move |seq| {
            let name = &names[(seq as usize) % names.len()];
            Req::post_json(
                "/api/login",
                &json!({"username": name, "password": PASSWORD, "token": true}),
            )
        }),
        expect: Box::new(|status, body| {
            status == 200
                && serde_json::from_slice::<Value>(body)
                    .is_ok_and(|v| v["status"] == "2fa_required")
        }),
    }
}
