//! The run: which figures, in which order, with which counts. `full` uses the release server and
//! counts sized for a 2-core machine (about 8–10 minutes); `smoke` uses tiny counts and the
//! debug build and only proves the harness can still drive every part.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{ensure, Context as _};
use rand::RngCore;
use twofa_core::{Secret, SecretBox};

use crate::db::{self, Db};
use crate::flows::{self, BenchUser, ChallengePool};
use crate::load::{self, Outcome, Spec, Workload};
use crate::micro;
use crate::report::Report;
use crate::server::Server;
use crate::spa;

#[derive(clap::Args, Debug)]
pub struct Options {
    /// The `twofa` binary (default: built by cargo; release for full, debug for smoke).
    #[arg(long, env = "TWOFA_BENCH_BIN")]
    pub server_bin: Option<PathBuf>,
    /// PostgreSQL maintenance URL; the harness creates and drops `twofa_bench_*` databases.
    #[arg(long, default_value = "postgres://postgres@127.0.0.1:5432/postgres")]
    pub pg_admin_url: String,
    /// Skip the PostgreSQL figures.
    #[arg(long)]
    pub no_pg: bool,
    /// Include PostgreSQL in a smoke run (off by default there).
    #[arg(long)]
    pub pg: bool,
    /// Also write the Markdown table to this file.
    #[arg(long)]
    pub markdown: Option<PathBuf>,
}

/// Counts and durations of one mode.
pub struct Plan {
    pub smoke: bool,
    pub reps: usize,
    pub dur: Duration,
    pub conns: usize,
    pub users: usize,
    pub challenges_per_user: usize,
    pub login_samples: usize,
    pub flood_conns: usize,
    pub flood_dur: Duration,
    pub paced_conns: usize,
    pub scale_users: u64,
    pub scale_events: u64,
}

impl Plan {
    pub fn full() -> Plan {
        Plan {
            smoke: false,
            reps: 3,
            dur: Duration::from_secs(8),
            conns: 64,
            users: 20,
            // Enough that even the fastest contender never wraps onto burned challenges within
            // its 3 × 8 s (about 12,000 req/s × 24 s ÷ 5 tries per challenge ≈ 58,000).
            challenges_per_user: 10_000,
            login_samples: 15,
            flood_conns: 16,
            flood_dur: Duration::from_secs(10),
            paced_conns: 4,
            scale_users: 100_000,
            scale_events: 1_000_000,
        }
    }

    pub fn smoke() -> Plan {
        Plan {
            smoke: true,
            reps: 1,
            dur: Duration::from_millis(500),
            conns: 4,
            users: 2,
            challenges_per_user: 300,
            login_samples: 2,
            flood_conns: 4,
            flood_dur: Duration::from_millis(500),
            paced_conns: 2,
            scale_users: 1_000,
            scale_events: 10_000,
        }
    }

    pub fn spec(&self, connections: usize, rate: Option<f64>) -> Spec {
        Spec {
            connections,
            duration: self.dur,
            max_requests: 2_000_000,
            rate,
        }
    }
}

/// Medians over repetitions.
#[derive(Clone, Copy, Debug)]
pub struct Agg {
    pub rps: f64,
    pub p50: f64,
    pub p99: f64,
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        f64::NAN
    } else {
        v[v.len() / 2]
    }
}

pub fn agg(outcomes: &[Outcome]) -> Agg {
    Agg {
        rps: median(outcomes.iter().map(Outcome::rps).collect()),
        p50: median(outcomes.iter().map(Outcome::p50_ms).collect()),
        p99: median(outcomes.iter().map(Outcome::p99_ms).collect()),
    }
}

pub fn fmt_rps(a: Agg) -> String {
    format!("{:.0} req/s", a.rps)
}

pub fn fmt_ms(ms: f64) -> String {
    format!("{ms:.2} ms")
}

/// Runs contenders back to back, `reps` times, rotating who goes first.
pub async fn interleaved(
    contenders: &[(&str, SocketAddr, &Arc<Workload>)],
    spec: Spec,
    reps: usize,
) -> anyhow::Result<Vec<Agg>> {
    let mut results: Vec<Vec<Outcome>> = contenders.iter().map(|_| Vec::new()).collect();
    for rep in 0..reps {
        for k in 0..contenders.len() {
            let i = (rep + k) % contenders.len();
            let (name, addr, work) = contenders[i];
            let out = load::run(addr, (*work).clone(), spec).await;
            println!(
                "    {name} [{}] rep {}: {}",
                work.name,
                rep + 1,
                out.summary()
            );
            out.check(name)?;
            results[i].push(out);
        }
    }
    Ok(results.iter().map(|r| agg(r)).collect())
}

pub struct Ctx {
    pub plan: Plan,
    pub repo: PathBuf,
    pub tmp: tempfile::TempDir,
    pub report: Report,
    pub server_bin: PathBuf,
    pub self_exe: PathBuf,
    pub cores: usize,
    /// Steps that could not drive the server (fatal for smoke).
    pub failures: Vec<String>,
}

impl Ctx {
    pub fn new(plan: Plan, opts: &Options) -> anyhow::Result<Ctx> {
        let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../..")
            .canonicalize()?;
        let server_bin = match &opts.server_bin {
            Some(p) => p.clone(),
            None => default_server_bin(&repo, plan.smoke)?,
        };
        ensure!(
            server_bin.exists(),
            "{} does not exist",
            server_bin.display()
        );
        // A private copy: other builds may replace the shared target's binary mid-run.
        let tmp = tempfile::Builder::new().prefix("twofa-bench-").tempdir()?;
        let copy = tmp.path().join("twofa");
        std::fs::copy(&server_bin, &copy)?;
        println!("server binary: {} (run from a copy)", server_bin.display());
        Ok(Ctx {
            plan,
            repo,
            tmp,
            report: Report::default(),
            server_bin: copy,
            self_exe: std::env::current_exe()?,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            failures: Vec::new(),
        })
    }

    fn fail(&mut self, figure: &str, target: &str, err: &anyhow::Error) {
        let reason = format!("{err:#}");
        self.report.missing(figure, target, &reason);
        self.failures.push(format!("{figure}: {reason}"));
    }

    pub fn spawn_real(&self, name: &str, db_url: Option<&str>) -> anyhow::Result<Server> {
        self.spawn_real_env(name, db_url, &[])
    }

    pub fn spawn_real_env(
        &self,
        name: &str,
        db_url: Option<&str>,
        extra_env: &[(&str, &str)],
    ) -> anyhow::Result<Server> {
        let data = self.tmp.path().join(name);
        std::fs::create_dir_all(&data)?;
        let mut cmd = Command::new(&self.server_bin);
        cmd.arg("serve")
            .env("TWOFA_BIND", "127.0.0.1:0")
            .env("TWOFA_DATA_DIR", &data)
            .env("TWOFA_STATIC_DIR", self.repo.join("frontend/dist"))
            .env("TWOFA_LOG", "info")
            .env("TWOFA_LOG_FORMAT", "text")
            // The load comes from one IP and a few accounts; throttles are not what is measured.
            .env("TWOFA_IP_FAILURE_LIMIT", "1000000000")
            .env("TWOFA_ACCOUNT_FAILURE_LIMIT", "1000000000")
            .env("TWOFA_LOGIN_FAILURE_LIMIT", "1000000000")
            .env("TWOFA_LOGIN_IP_FAILURE_LIMIT", "1000000000")
            .env_remove("TWOFA_DATABASE_URL")
            .env_remove("TWOFA_SECRET_KEY")
            .env_remove("TWOFA_PUBLIC_ORIGIN")
            .env_remove("TWOFA_CONFIG");
        if let Some(url) = db_url {
            cmd.env("TWOFA_DATABASE_URL", url);
        }
        cmd.envs(extra_env.iter().copied());
        Server::spawn(name, cmd, &self.tmp.path().join(format!("{name}.log")))
    }

    pub fn spawn_baseline(
        &self,
        kind: &str,
        db: Option<&str>,
        key: &[u8; 32],
    ) -> anyhow::Result<Server> {
        self.spawn_baseline_padded(kind, db, key, 0)
    }

    /// A baseline whose malformed-code answer carries `pad` filler bytes.
    pub fn spawn_baseline_padded(
        &self,
        kind: &str,
        db: Option<&str>,
        key: &[u8; 32],
        pad: usize,
    ) -> anyhow::Result<Server> {
        let mut cmd = Command::new(&self.self_exe);
        cmd.args(["baseline", kind])
            .env(crate::baseline::KEY_ENV, hex::encode(key))
            .env(crate::baseline::PAD_ENV, pad.to_string());
        if let Some(db) = db {
            cmd.args(["--db", db]);
        }
        let name = format!("baseline-{kind}");
        Server::spawn(&name, cmd, &self.tmp.path().join(format!("{name}.log")))
    }

    pub fn sqlite_path(&self, server: &str) -> String {
        self.tmp
            .path()
            .join(server)
            .join("twofa.db")
            .display()
            .to_string()
    }
}

fn default_server_bin(repo: &Path, smoke: bool) -> anyhow::Result<PathBuf> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/var/cache/twofa/target"));
    if smoke {
        // The test script builds this one (with the test clock) before the black-box tests.
        return Ok(std::env::var_os("TWOFA_TEST_BIN")
            .map(PathBuf::from)
            .unwrap_or_else(|| target.join("debug/twofa")));
    }
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    println!("building the release server: cargo build --release -p twofa-api");
    let ok = Command::new(cargo)
        .current_dir(repo)
        .args(["build", "--release", "-p", "twofa-api"])
        .status()?
        .success();
    ensure!(ok, "cargo build --release -p twofa-api failed");
    Ok(target.join("release/twofa"))
}

/// `npm ci` when the packages are missing, then `npm run build` (what scripts/run.sh does).
fn build_spa(frontend: &std::path::Path) -> anyhow::Result<()> {
    let npm = |args: &[&str]| -> anyhow::Result<()> {
        let ok = std::process::Command::new("npm")
            .args(args)
            .current_dir(frontend)
            .stdout(std::process::Stdio::null())
            .status()
            .context("cannot run npm")?
            .success();
        ensure!(ok, "npm {} failed", args.join(" "));
        Ok(())
    };
    if !frontend.join("node_modules").is_dir() {
        npm(&["ci", "--no-audit", "--no-fund", "--loglevel=error"])?;
    }
    npm(&["run", "build"])
}

/// (6) SPA first-load JavaScript.
pub fn spa_figure(ctx: &mut Ctx) {
    let figure = "(6) SPA first-load JS, gzip -9";
    // The full run measures the SPA as its source builds now, not whatever dist/ holds.
    let built = if ctx.plan.smoke {
        Ok(())
    } else {
        build_spa(&ctx.repo.join("frontend"))
    };
    match built.and_then(|()| spa::measure(&ctx.repo.join("frontend/dist"))) {
        Ok(s) => {
            let kib = s.gzip_bytes as f64 / 1024.0;
            ctx.report.ratio(
                figure,
                format!(
                    "{kib:.1} KiB ({} file(s), {:.1} KiB raw)",
                    s.files.len(),
                    s.raw_bytes as f64 / 1024.0
                ),
                "budget 150 KiB".into(),
                kib / 150.0,
                "≤ 1.00× (≤ 150 KiB)",
                kib <= 150.0,
            );
            ctx.report.note(format!(
                "SPA: first-load files {:?}; all JS chunks together {:.1} KiB gzipped",
                s.files,
                s.all_js_gzip_bytes as f64 / 1024.0
            ));
        }
        // Not a server-driving failure: the smoke run reports it without failing.
        Err(e) if ctx.plan.smoke => ctx.report.missing(figure, "≤ 150 KiB", &format!("{e:#}")),
        Err(e) => ctx.fail(figure, "≤ 150 KiB", &e),
    }
}

/// (1) TOTP check: the core crate's bench (ratio to 3× HMAC) and pyotp in the same run.
pub fn totp_figures(ctx: &mut Ctx) {
    let f1 = "(1a) TOTP ±1 check (twofa-core verify, wrong code) vs raw 3× HMAC-SHA1";
    let f2 = "(1b) pyotp verify(valid_window=1) ÷ twofa-core ±1 check";
    if ctx.plan.smoke {
        ctx.report.missing(
            f1,
            "≤ 1.25×",
            "skipped in smoke mode (criterion bench of twofa-core)",
        );
        ctx.report
            .missing(f2, "≥ 20×", "skipped in smoke mode (needs the venv)");
        return;
    }
    println!("running the twofa-core bench (quick ratio mode) and pyotp");
    let core = match micro::core_bench(&ctx.repo) {
        Ok(c) => c,
        Err(e) => {
            ctx.fail(f1, "≤ 1.25×", &e);
            ctx.fail(f2, "≥ 20×", &e);
            return;
        }
    };
    let r = core.verify_w1_ns / core.raw_window_ns;
    ctx.report.ratio(
        f1,
        format!("{:.0} ns", core.verify_w1_ns),
        format!("{:.0} ns", core.raw_window_ns),
        r,
        "≤ 1.25× (hard ≤ 2.0×)",
        r <= 1.25,
    );
    let m = core.verify_match_ns;
    ctx.report.note(format!(
        "TOTP constant work: matching step −1/0/+1 took {:.0}/{:.0}/{:.0} ns vs {:.0} ns for a wrong code",
        m[0], m[1], m[2], core.verify_w1_ns
    ));
    match micro::pyotp_verify_us(&ctx.repo) {
        Ok(us) => {
            let speedup = us * 1000.0 / core.verify_w1_ns;
            ctx.report.ratio(
                f2,
                format!("{:.0} ns", core.verify_w1_ns),
                format!("{us:.1} µs (pyotp 2.12.1)"),
                speedup,
                "≥ 20× faster",
                speedup >= 20.0,
            );
        }
        Err(e) => ctx.fail(f2, "≥ 20×", &e),
    }
}

/// Set-up of one real server: accounts with 2FA, and their ids in the database.
pub struct Fixture {
    pub users: Vec<BenchUser>,
    pub user_ids: Vec<i64>,
    pub code: String,
}

pub async fn fixture(ctx: &mut Ctx, server: &Server, db: &mut Db) -> anyhow::Result<Fixture> {
    let t = Instant::now();
    let (users, note) = flows::enrol_users(server.addr, ctx.plan.users).await?;
    if let Some(note) = note {
        ctx.report.note(note);
    }
    let mut user_ids = Vec::new();
    for u in &users {
        user_ids.push(db.user_id(&u.name)?);
    }
    let code = flows::wrong_code(users.iter().map(|u| &u.secret));
    println!(
        "  {} account(s) with 2FA enrolled in {:.1} s",
        users.len(),
        t.elapsed().as_secs_f64()
    );
    Ok(Fixture {
        users,
        user_ids,
        code,
    })
}

/// A baseline database on `url` with the same schema, accounts and challenge counts.
fn baseline_db(
    ctx: &Ctx,
    url: &str,
    key: &[u8; 32],
) -> anyhow::Result<(Arc<ChallengePool>, Arc<ChallengePool>, String)> {
    let mut db = Db::open(url)?;
    db.apply_migrations(&ctx.repo)?;
    let sealing = SecretBox::new(*key);
    let mut secrets: Vec<Secret> = Vec::new();
    let now = i64::try_from(flows::unix_now())?;
    let ids = db.insert_totp_users(
        "base",
        |id| {
            let s = Secret::generate(&mut rand::rng());
            let sealed = sealing.seal(id, &s, &mut rand::rng());
            secrets.push(s);
            sealed
        },
        ctx.plan.users,
        now,
    )?;
    let per_user = ctx.plan.challenges_per_user;
    let bare = ChallengePool::new(db.insert_challenges(&ids, per_user, now)?);
    let split = ChallengePool::new(db.insert_challenges(&ids, per_user, now)?);
    Ok((bare, split, flows::wrong_code(secrets.iter())))
}

fn random_key() -> [u8; 32] {
    let mut k = [0u8; 32];
    rand::rng().fill_bytes(&mut k);
    k
}

/// Everything on SQLite: password step, isolation, framework cost, storage, scale.
async fn sqlite_part(ctx: &mut Ctx) -> anyhow::Result<()> {
    let server = ctx.spawn_real("twofa-sqlite", None)?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Before any request of the harness: the baseline of the (3b) budget.
    let idle = server.idle_rss().await;
    println!(
        "twofa (SQLite) at {} (pid {}), idle VmRSS {}",
        server.addr,
        server.pid(),
        idle.map_or("unknown".into(), |r| format!(
            "{:.1} MiB",
            r.current_kib as f64 / 1024.0
        ))
    );
    let mut db = Db::open(&ctx.sqlite_path("twofa-sqlite"))?;
    let fx = match fixture(ctx, &server, &mut db).await {
        Ok(fx) => fx,
        Err(e) => {
            for (f, t) in [
                ("(2) POST /api/login password step", "≤ 1.10× / ≥ 0.80×"),
                ("(3) isolation under a login flood", "≤ 2.0× / ≤ 1.00×"),
                ("(4) /api/login/challenge on SQLite", "≥ 0.70× / ≤ 2.0×"),
                ("(5) scale on SQLite", "≤ 1.20×"),
            ] {
                ctx.fail(f, t, &e);
            }
            println!("server log tail:\n{}", server.log_tail(15));
            return Ok(());
        }
    };

    println!("(2) password step");
    if let Err(e) = crate::sections::login(ctx, &server, &mut db, &fx).await {
        ctx.fail("(2) POST /api/login password step", "≤ 1.10× / ≥ 0.80×", &e);
    }
    println!("(3) isolation");
    if let Err(e) = crate::sections::isolation(ctx, &server, &mut db, &fx, idle).await {
        ctx.fail("(3) isolation under a login flood", "≤ 2.0× / ≤ 1.00×", &e);
    }

    if ctx.plan.smoke {
        ctx.report.missing(
            "(3c) diagnostic: peak RSS with a fixed mmap threshold",
            "–",
            "full run only",
        );
    } else if let Err(e) = crate::sections::arena_diagnostic(ctx).await {
        ctx.fail(
            "(3c) diagnostic: peak RSS with a fixed mmap threshold",
            "–",
            &e,
        );
    }

    println!("(4) framework and storage on SQLite, interleaved with the baselines");
    let key = random_key();
    if let Err(e) = crate::sections::framework(ctx, server.addr, &key).await {
        ctx.fail("(4a) framework + middleware", "≥ 0.80×", &e);
    }
    let base_path = ctx
        .tmp
        .path()
        .join("baseline-sqlite.db")
        .display()
        .to_string();
    let storage = async {
        let (pool, split_pool, code) = baseline_db(ctx, &base_path, &key)?;
        let bare = ctx.spawn_baseline("sqlite", Some(&base_path), &key)?;
        let split = ctx.spawn_baseline("sqlite-split", Some(&base_path), &key)?;
        let bare = (bare.addr, pool, code.clone());
        let split = (split.addr, split_pool, code);
        crate::sections::storage(ctx, "SQLite", (&server, &mut db, &fx), bare, split).await
    };
    if let Err(e) = storage.await {
        ctx.fail("(4) /api/login/challenge on SQLite", "≥ 0.70× / ≤ 2.0×", &e);
    }
    println!("(5) scale on SQLite");
    if let Err(e) = crate::sections::scale(ctx, "SQLite", &server, &mut db, &fx).await {
        ctx.fail("(5) scale on SQLite", "≤ 1.20×", &e);
    }
    server.stop();
    Ok(())
}

/// Storage and scale on PostgreSQL, each server on its own fresh database.
async fn pg_part(ctx: &mut Ctx, admin_url: &str) -> anyhow::Result<()> {
    let (real_name, base_name) = ("twofa_bench_server", "twofa_bench_baseline");
    let result = async {
        let real_url = db::fresh_pg_database(admin_url, real_name)?;
        let base_url = db::fresh_pg_database(admin_url, base_name)?;
        let server = ctx.spawn_real("twofa-pg", Some(&real_url))?;
        println!(
            "twofa (PostgreSQL) at {} (pid {})",
            server.addr,
            server.pid()
        );
        let mut db = Db::open(&real_url)?;
        let fx = fixture(ctx, &server, &mut db).await?;
        let key = random_key();
        let (pool, split_pool, code) = baseline_db(ctx, &base_url, &key)?;
        let bare_server = ctx.spawn_baseline("pg", Some(&base_url), &key)?;
        let split_server = ctx.spawn_baseline("pg-split", Some(&base_url), &key)?;
        println!("(4) storage on PostgreSQL, interleaved with the baselines");
        let bare = (bare_server.addr, pool, code.clone());
        let split = (split_server.addr, split_pool, code);
        if let Err(e) =
            crate::sections::storage(ctx, "PostgreSQL", (&server, &mut db, &fx), bare, split).await
        {
            ctx.fail(
                "(4) /api/login/challenge on PostgreSQL",
                "≥ 0.70× / ≤ 2.0×",
                &e,
            );
        }
        bare_server.stop();
        split_server.stop();
        println!("(5) scale on PostgreSQL");
        if let Err(e) = crate::sections::scale(ctx, "PostgreSQL", &server, &mut db, &fx).await {
            ctx.fail("(5) scale on PostgreSQL", "≤ 1.20×", &e);
        }
        server.stop();
        drop(db);
        anyhow::Ok(())
    }
    .await;
    db::drop_pg_database(admin_url, real_name);
    db::drop_pg_database(admin_url, base_name);
    if let Err(e) = result {
        ctx.fail("(4/5) PostgreSQL figures", "≥ 0.70× / ≤ 2.0× / ≤ 1.20×", &e);
    }
    Ok(())
}

pub async fn execute(ctx: &mut Ctx, opts: &Options) -> anyhow::Result<()> {
    let started = Instant::now();
    spa_figure(ctx);
    totp_figures(ctx);
    sqlite_part(ctx).await?;
    let pg = if ctx.plan.smoke { opts.pg } else { !opts.no_pg };
    if pg {
        pg_part(ctx, &opts.pg_admin_url).await?;
    } else {
        ctx.report.missing(
            "(4)/(5) PostgreSQL figures",
            "≥ 0.70× / ≤ 2.0× / ≤ 1.20×",
            "PostgreSQL not requested in this mode",
        );
    }
    ctx.report
        .note(format!("run took {:.0} s", started.elapsed().as_secs_f64()));
    Ok(())
}
