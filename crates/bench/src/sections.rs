//! The server figures (2)–(5), each against its same-run baseline.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context};

use crate::db::Db;
use crate::flows::{self, ChallengePool, PASSWORD};
use crate::load::{self, call, Outcome, Spec};
use crate::micro;
use crate::run::{agg, fmt_ms, fmt_rps, interleaved, median, Agg, Ctx, Fixture};
use crate::server::{Rss, Server};
use crate::wire;

const MIB: f64 = 1024.0;
/// Argon2 memory per hash in flight at the stored parameters (m=19456 KiB).
const ARGON2_MIB: f64 = 19.0;

/// Paced load for latency figures: well below saturation, so latency is service time.
fn paced_rate(ctx: &Ctx) -> f64 {
    if ctx.plan.smoke {
        50.0
    } else {
        200.0
    }
}

/// Enough fresh challenges for `requests` answers (5 per challenge) plus a margin.
fn pool_for(db: &mut Db, user_ids: &[i64], requests: f64) -> anyhow::Result<Arc<ChallengePool>> {
    let per_user = ((requests * 1.3 / 5.0) / user_ids.len() as f64)
        .ceil()
        .max(1.0) as usize;
    let now = i64::try_from(flows::unix_now())?;
    Ok(ChallengePool::new(
        db.insert_challenges(user_ids, per_user, now)?,
    ))
}

/// (2a) and (2b): the password step against the argon2 crate at the stored parameters.
pub async fn login(
    ctx: &mut Ctx,
    server: &Server,
    db: &mut Db,
    fx: &Fixture,
) -> anyhow::Result<f64> {
    let user = &fx.users[0];
    let phc = db.password_hash(fx.user_ids[0])?;
    let params = phc.split('$').nth(3).unwrap_or("?").to_owned();
    let work = flows::login_workload(vec![user.name.clone()]);
    let (mut login_ms, mut verify_ms) = (Vec::new(), Vec::new());
    for _ in 0..ctx.plan.login_samples {
        let started = Instant::now();
        let (status, body) = call(server.addr, (work.next)(0), None).await?;
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        ensure!(
            (work.expect)(status, body.to_string().as_bytes()),
            "POST /api/login answered {status} {body}"
        );
        login_ms.push(ms);
        verify_ms.push(micro::argon2_verify_ms(PASSWORD, &phc)?);
    }
    let (login_p50, verify_p50) = (median(login_ms), median(verify_ms));
    let r = login_p50 / verify_p50;
    ctx.report.ratio(
        "(2a) POST /api/login password step, p50 over sequential logins",
        fmt_ms(login_p50),
        format!("{} argon2 verify ({params})", fmt_ms(verify_p50)),
        r,
        "≤ 1.10×",
        r <= 1.10,
    );

    let names = fx.users.iter().map(|u| u.name.clone()).collect();
    let flood = Arc::new(flows::login_workload(names));
    let spec = Spec {
        connections: ctx.plan.flood_conns,
        duration: ctx.plan.flood_dur,
        max_requests: 1_000_000,
        rate: None,
    };
    let out = load::run(server.addr, flood, spec).await;
    println!("    twofa [login flood] {}", out.summary());
    ensure!(
        out.expected > 0,
        "the login flood got no successful answer: {}",
        out.summary()
    );
    let ideal = ctx.cores as f64 * 1000.0 / verify_p50;
    let r = out.rps() / ideal;
    ctx.report.ratio(
        "(2b) password-login throughput, closed loop",
        format!(
            "{:.1} logins/s ({} connections)",
            out.rps(),
            ctx.plan.flood_conns
        ),
        format!(
            "{:.1}/s = {} cores ÷ {}",
            ideal,
            ctx.cores,
            fmt_ms(verify_p50)
        ),
        r,
        "≥ 0.80×",
        r >= 0.8,
    );
    if !out.unexpected.is_empty() {
        ctx.report
            .note(format!("login flood: other answers {:?}", out.unexpected));
    }
    if ctx.plan.smoke {
        return Ok(verify_p50);
    }
    // Blocks the (single-threaded) client runtime on purpose: nothing else runs meanwhile.
    let threads_rate = micro::argon2_rate(PASSWORD, &phc, ctx.cores, Duration::from_secs(4));
    ctx.report.info(
        "(2c) argon2 crate, verify loop on all cores in-process (scaling check)",
        format!("{threads_rate:.1} verifies/s on {} threads", ctx.cores),
        format!("{ideal:.1}/s ideal"),
        format!("{:.2}×", threads_rate / ideal),
    );
    Ok(verify_p50)
}

/// (3) Challenge p99 with and without a login flood, and the server's peak RSS.
pub async fn isolation(
    ctx: &mut Ctx,
    server: &Server,
    db: &mut Db,
    fx: &Fixture,
    idle: Option<Rss>,
) -> anyhow::Result<()> {
    let rate = paced_rate(ctx);
    let secs = ctx.plan.dur.as_secs_f64();
    let pool = pool_for(db, &fx.user_ids, rate * secs * ctx.plan.reps as f64 * 2.0)?;
    let challenge = Arc::new(flows::challenge_workload(pool, fx.code.clone()));
    let names = fx.users.iter().map(|u| u.name.clone()).collect();
    let flood = Arc::new(flows::login_workload(names));
    let paced = Spec {
        connections: ctx.plan.paced_conns,
        duration: ctx.plan.dur,
        max_requests: 1_000_000,
        rate: Some(rate),
    };
    let flood_spec = Spec {
        connections: ctx.plan.flood_conns,
        duration: ctx.plan.dur + Duration::from_millis(1500),
        max_requests: 1_000_000,
        rate: None,
    };
    // The budget is for what the floods add: the server is warm here (accounts enrolled, caches
    // filled by the earlier figures), so its settled VmRSS is the idle figure and the peak
    // starts over from it. The cold-start figure stays in the table as information.
    let cold_peak = server.rss();
    server.reset_peak()?;
    let warm = server.idle_rss().await;
    let (mut calm, mut stormy, mut floods) = (Vec::new(), Vec::new(), Vec::new());
    for rep in 0..ctx.plan.reps {
        let out = load::run(server.addr, challenge.clone(), paced).await;
        println!("    challenge alone rep {}: {}", rep + 1, out.summary());
        out.check("challenge without flood")?;
        calm.push(out);
        let flood_run = load::run(server.addr, flood.clone(), flood_spec);
        let challenge_run = async {
            // The flood fills the argon2 permits first.
            tokio::time::sleep(Duration::from_millis(700)).await;
            load::run(server.addr, challenge.clone(), paced).await
        };
        let (f, out) = tokio::join!(flood_run, challenge_run);
        println!(
            "    challenge under flood rep {}: {}",
            rep + 1,
            out.summary()
        );
        println!("    (flood: {})", f.summary());
        out.check("challenge under a login flood")?;
        floods.push(f);
        stormy.push(out);
    }
    let (a, b) = (agg(&calm), agg(&stormy));
    let r = b.p99 / a.p99;
    ctx.report.ratio(
        &format!(
            "(3a) challenge p99 at {rate:.0} req/s under a login flood ({} conns)",
            ctx.plan.flood_conns
        ),
        format!("{} (p50 {})", fmt_ms(b.p99), fmt_ms(b.p50)),
        format!("{} without flood (p50 {})", fmt_ms(a.p99), fmt_ms(a.p50)),
        r,
        "≤ 2.0×",
        r <= 2.0,
    );
    let flood_rps = median(floods.iter().map(Outcome::rps).collect());
    ctx.report.note(format!(
        "isolation: login flood ran at {flood_rps:.1} logins/s during the paced challenge load"
    ));
    // The server's hashing gate has one permit per core (HashGate::per_core), and the server
    // runs on this machine. Budget: idle VmRSS + permits × 19 MiB × 1.25.
    let permits = ctx.cores as f64;
    let budget = |idle: Rss| idle.current_kib as f64 / MIB + permits * ARGON2_MIB * 1.25;
    match (warm, server.rss()) {
        (Some(idle), Some(now)) => {
            let (limit, peak) = (budget(idle), now.peak_kib as f64 / MIB);
            ctx.report.ratio(
                "(3b) server peak RSS (VmHWM) during the floods",
                format!("{peak:.1} MiB"),
                format!(
                    "{limit:.1} MiB = warm idle VmRSS {:.1} + {permits:.0} permits × 19 MiB × 1.25",
                    idle.current_kib as f64 / MIB
                ),
                peak / limit,
                "≤ 1.00×",
                peak <= limit,
            );
        }
        _ => ctx.report.missing(
            "(3b) server peak RSS",
            "≤ 1.00×",
            "cannot read /proc/PID/status",
        ),
    }
    if let (Some(idle), Some(cold)) = (idle, cold_peak) {
        let (limit, peak) = (budget(idle), cold.peak_kib as f64 / MIB);
        ctx.report.info(
            "(3b') diagnostic: peak RSS from start-up through enrolment and the (2) login figures \
             (their flood included), against the cold idle VmRSS",
            format!("{peak:.1} MiB"),
            format!(
                "{limit:.1} MiB = cold idle VmRSS {:.1} + {permits:.0} permits × 19 MiB × 1.25",
                idle.current_kib as f64 / MIB
            ),
            format!("{:.2}×", peak / limit),
        );
    }
    Ok(())
}

/// (4, G8) Framework and middleware cost: a malformed code, refused before any storage. G8's
/// baseline is "same extractor, same response size": the bare endpoint's answer is padded to the
/// byte length of twofa's (its security headers and request id), so the ratio prices the work of
/// the middleware rather than the extra bytes through the kernel; the unpadded bare endpoint is
/// kept as a diagnostic row.
pub async fn framework(ctx: &mut Ctx, real: SocketAddr, key: &[u8; 32]) -> anyhow::Result<()> {
    let request = flows::format_error_body();
    let twofa_bytes = wire::response_bytes(real, flows::CHALLENGE_PATH, &request)?;
    let bare = ctx.spawn_baseline("json", None, key)?;
    let bare_bytes = wire::response_bytes(bare.addr, flows::CHALLENGE_PATH, &request)?;
    let padded = same_size_baseline(ctx, key, &request, twofa_bytes, bare_bytes)?;
    let work = Arc::new(flows::format_error_workload());
    let spec = ctx.plan.spec(ctx.plan.conns, None);
    let r = interleaved(
        &[
            ("twofa", real, &work),
            ("bare actix-web JSON, same size", padded.addr, &work),
            ("bare actix-web JSON", bare.addr, &work),
        ],
        spec,
        ctx.plan.reps,
    )
    .await?;
    let ratio = r[0].rps / r[1].rps;
    ctx.report.ratio(
        "(4a) 400 invalid_code_format on /api/login/challenge (framework + middleware only)",
        format!(
            "{}, p99 {} ({twofa_bytes}-byte response)",
            fmt_rps(r[0]),
            fmt_ms(r[0].p99)
        ),
        format!(
            "{}, p99 {} (bare actix-web JSON, padded to {twofa_bytes} bytes)",
            fmt_rps(r[1]),
            fmt_ms(r[1].p99)
        ),
        ratio,
        "≥ 0.80× req/s (G8)",
        ratio >= 0.8,
    );
    ctx.report.info(
        "(4a') diagnostic: the same against the bare endpoint's own short answer",
        format!("{}, p99 {}", fmt_rps(r[0]), fmt_ms(r[0].p99)),
        format!(
            "{}, p99 {} ({bare_bytes}-byte response)",
            fmt_rps(r[2]),
            fmt_ms(r[2].p99)
        ),
        format!("{:.2}×", r[0].rps / r[2].rps),
    );
    Ok(())
}

/// Starts the bare JSON baseline with filler so that its answer is exactly `target` bytes.
fn same_size_baseline(
    ctx: &Ctx,
    key: &[u8; 32],
    request: &serde_json::Value,
    target: usize,
    unpadded: usize,
) -> anyhow::Result<Server> {
    // `,"pad":""` costs 9 bytes before the first filler byte; Content-Length may gain a digit.
    let mut pad = target.saturating_sub(unpadded + 9);
    for _ in 0..4 {
        let server = ctx.spawn_baseline_padded("json", None, key, pad)?;
        let got = wire::response_bytes(server.addr, flows::CHALLENGE_PATH, request)?;
        if got == target {
            return Ok(server);
        }
        anyhow::ensure!(
            got < target || pad > 0,
            "twofa's answer ({target} bytes) is shorter than the bare one ({got} bytes)"
        );
        pad = (pad + target)
            .checked_sub(got)
            .context("padding overshot")?;
    }
    anyhow::bail!("could not pad the bare answer to {target} bytes")
}

/// (4) Storage-backed wrong-code challenge vs the bare endpoint doing the same reads and writes.
pub async fn storage(
    ctx: &mut Ctx,
    backend: &str,
    real: (&Server, &mut Db, &Fixture),
    bare: (SocketAddr, Arc<ChallengePool>, String),
    split: (SocketAddr, Arc<ChallengePool>, String),
) -> anyhow::Result<Agg> {
    let (server, db, fx) = real;
    let pool = ChallengePool::new(db.insert_challenges(
        &fx.user_ids,
        ctx.plan.challenges_per_user,
        i64::try_from(flows::unix_now())?,
    )?);
    let real_work = Arc::new(flows::challenge_workload(pool, fx.code.clone()));
    let bare_work = Arc::new(flows::challenge_workload(bare.1, bare.2));
    let split_work = Arc::new(flows::challenge_workload(split.1, split.2));
    let spec = ctx.plan.spec(ctx.plan.conns, None);
    let r = interleaved(
        &[
            ("twofa", server.addr, &real_work),
            ("bare", bare.0, &bare_work),
            ("bare split like twofa", split.0, &split_work),
        ],
        spec,
        ctx.plan.reps,
    )
    .await?;
    let (t, b, d) = (r[0], r[1], r[2]);
    let what = format!("{} conns, closed loop, wrong code", ctx.plan.conns);
    ctx.report.ratio(
        &format!("(4) /api/login/challenge on {backend}: throughput ({what})"),
        fmt_rps(t),
        format!("{} bare actix-web + {backend}", fmt_rps(b)),
        t.rps / b.rps,
        "≥ 0.70×",
        t.rps / b.rps >= 0.7,
    );
    ctx.report.ratio(
        &format!("(4) /api/login/challenge on {backend}: p99"),
        fmt_ms(t.p99),
        fmt_ms(b.p99),
        t.p99 / b.p99,
        "≤ 2.0×",
        t.p99 / b.p99 <= 2.0,
    );
    ctx.report.info(
        &format!(
            "(4d) diagnostic on {backend}: the bare endpoint cut into 3 reads + 4 write \
             transactions (7 blocking-pool hops)"
        ),
        format!("{}, p99 {}", fmt_rps(d), fmt_ms(d.p99)),
        format!("{}, p99 {} (one transaction)", fmt_rps(b), fmt_ms(b.p99)),
        format!(
            "{:.2}× req/s (twofa ÷ split {:.2}×)",
            d.rps / b.rps,
            t.rps / d.rps
        ),
    );
    Ok(t)
}

/// (5) Paced challenge latency before and after 100,000 users and 1,000,000 audit events.
pub async fn scale(
    ctx: &mut Ctx,
    backend: &str,
    server: &Server,
    db: &mut Db,
    fx: &Fixture,
) -> anyhow::Result<()> {
    let rate = paced_rate(ctx);
    let requests = rate * ctx.plan.dur.as_secs_f64() * ctx.plan.reps as f64;
    let paced = Spec {
        connections: ctx.plan.paced_conns,
        duration: ctx.plan.dur,
        max_requests: 1_000_000,
        rate: Some(rate),
    };
    let reps = ctx.plan.reps;
    let measure = |pool: Arc<ChallengePool>, label: &'static str| {
        let work = Arc::new(flows::challenge_workload(pool, fx.code.clone()));
        async move {
            let mut outs = Vec::new();
            for rep in 0..reps {
                let out = load::run(server.addr, work.clone(), paced).await;
                println!("    challenge {label} rep {}: {}", rep + 1, out.summary());
                out.check(label)?;
                outs.push(out);
            }
            anyhow::Ok(agg(&outs))
        }
    };
    let before_users = db.count("users")?;
    let before_events = db.count("audit_events")?;
    let empty = measure(
        pool_for(db, &fx.user_ids, requests)?,
        "before the scale fixture",
    )
    .await?;
    let now = i64::try_from(flows::unix_now())?;
    let secs = db.insert_scale(ctx.plan.scale_users, ctx.plan.scale_events, now)?;
    let (users, events) = (db.count("users")?, db.count("audit_events")?);
    println!("    inserted the scale fixture in {secs:.1} s: {users} users, {events} audit events");
    let big = measure(
        pool_for(db, &fx.user_ids, requests)?,
        "with the scale fixture",
    )
    .await?;
    let r = big.p50 / empty.p50;
    ctx.report.ratio(
        &format!("(5) challenge p50 on {backend} at {rate:.0} req/s, {users} users / {events} audit events"),
        format!("{} (p99 {})", fmt_ms(big.p50), fmt_ms(big.p99)),
        format!("{} (p99 {}) with {before_users} users / {before_events} events", fmt_ms(empty.p50), fmt_ms(empty.p99)),
        r,
        "≤ 1.20×",
        r <= 1.2,
    );
    Ok(())
}

/// (3c) The same login flood against a fresh server with a fixed glibc mmap threshold, so every
/// Argon2 block goes back to the OS on free: if its peak RSS stays near the budget while the
/// default one does not, the excess is freed Argon2 memory kept in per-thread malloc arenas of
/// the blocking pool (glibc raises the mmap threshold after the first free), not hashes in flight.
pub async fn arena_diagnostic(ctx: &mut Ctx) -> anyhow::Result<()> {
    let server = ctx.spawn_real_env("twofa-mmap", None, &[("MALLOC_MMAP_THRESHOLD_", "131072")])?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let idle = server
        .idle_rss()
        .await
        .context("cannot read /proc/PID/status")?;
    let (users, _) = flows::enrol_users(server.addr, 1).await?;
    let names = users.iter().map(|u| u.name.clone()).collect();
    let spec = Spec {
        connections: ctx.plan.flood_conns,
        duration: ctx.plan.flood_dur,
        max_requests: 1_000_000,
        rate: None,
    };
    let out = load::run(server.addr, Arc::new(flows::login_workload(names)), spec).await;
    println!(
        "    login flood with MALLOC_MMAP_THRESHOLD_=131072: {}",
        out.summary()
    );
    ensure!(out.expected > 0, "the login flood got no successful answer");
    let peak = server
        .rss()
        .context("cannot read /proc/PID/status")?
        .peak_kib as f64
        / MIB;
    let idle_mib = idle.current_kib as f64 / MIB;
    let limit = idle_mib + ctx.cores as f64 * ARGON2_MIB * 1.25;
    ctx.report.info(
        "(3c) diagnostic: peak RSS after one login flood with MALLOC_MMAP_THRESHOLD_=131072",
        format!("{peak:.1} MiB"),
        format!("{limit:.1} MiB budget (idle {idle_mib:.1})"),
        format!("{:.2}×", peak / limit),
    );
    server.stop();
    Ok(())
}
