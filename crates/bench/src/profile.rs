//! `twofa-bench profile-challenge`: the (4) SQLite workload against the real server alone, for
//! as long as asked, with `perf record` attached to the server when `--perf FILE` is given. The
//! evidence behind the (4) notes in docs/benchmarks.md comes from here.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use crate::db::Db;
use crate::flows::{self, ChallengePool};
use crate::load;
use crate::run::{fixture, Ctx, Options, Plan};

pub async fn challenge(
    opts: &Options,
    secs: u64,
    perf: Option<PathBuf>,
    env: &[(String, String)],
) -> anyhow::Result<()> {
    let mut ctx = Ctx::new(Plan::full(), opts)?;
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let server = ctx.spawn_real_env("twofa-sqlite", None, &env)?;
    let mut db = Db::open(&ctx.sqlite_path("twofa-sqlite"))?;
    let fx = fixture(&mut ctx, &server, &mut db).await?;
    let pool = ChallengePool::new(db.insert_challenges(
        &fx.user_ids,
        ctx.plan.challenges_per_user,
        i64::try_from(flows::unix_now())?,
    )?);
    let work = Arc::new(flows::challenge_workload(pool, fx.code.clone()));
    let spec = |secs| load::Spec {
        connections: ctx.plan.conns,
        duration: Duration::from_secs(secs),
        max_requests: 2_000_000,
        rate: None,
    };
    let warm = load::run(server.addr, Arc::clone(&work), spec(2)).await;
    println!("warm-up: {}", warm.summary());
    let recorder = match &perf {
        Some(out) => Some(
            Command::new("perf")
                .args(["record", "-F", "499", "--call-graph", "dwarf,16384", "-p"])
                .arg(server.pid().to_string())
                .arg("-o")
                .arg(out)
                .args(["--", "sleep"])
                .arg(secs.to_string())
                .spawn()?,
        ),
        None => None,
    };
    let cpu_before = cpu_ticks(server.pid());
    let out = load::run(server.addr, Arc::clone(&work), spec(secs)).await;
    let cpu = cpu_ticks(server.pid()).saturating_sub(cpu_before);
    // CPU per answer barely moves with other load on the machine, where req/s does.
    let per_request_us = cpu as f64 * 1e6 / USER_HZ / out.expected as f64;
    println!(
        "twofa challenge on SQLite: {}; server CPU {per_request_us:.0} µs per answer",
        out.summary()
    );
    if let Some(mut r) = recorder {
        r.wait()?;
    }
    server.stop();
    Ok(())
}

/// utime + stime of a process, in clock ticks (/proc/PID/stat fields 14 and 15).
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let field = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<u64>().ok())
            .unwrap_or(0)
    };
    field(11) + field(12)
}

/// /proc reports CPU times in USER_HZ ticks, 100 per second on Linux's mainstream targets.
const USER_HZ: f64 = 100.0;
