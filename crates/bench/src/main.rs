//! twofa-bench: starts the real `twofa` server and baseline servers on 127.0.0.1, drives them
//! with its own bounded load generator, and prints every figure beside a baseline measured in
//! the same run, as a ratio with its target (issue 7, docs/benchmarks.md).
//!
//! `cargo run --release -p twofa-bench -- full` is the full run; `-- smoke` runs a few seconds
//! and exits non-zero only when the harness cannot drive the server.

mod baseline;
mod baseline_split;
mod db;
mod flows;
mod load;
mod micro;
mod profile;
mod report;
mod run;
mod sections;
mod server;
mod spa;
mod wire;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "twofa-bench", about = "Load and latency harness for twofa")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Every figure with the release server (about 10 minutes on 2 cores).
    Full(run::Options),
    /// A few seconds with tiny counts; fails only if the harness cannot drive the server.
    Smoke(run::Options),
    /// Drive one workload at a running server (for profiling it with perf).
    #[command(hide = true)]
    Drive {
        /// 127.0.0.1:PORT of the server.
        addr: std::net::SocketAddr,
        /// Seconds of load.
        #[arg(long, default_value_t = 10)]
        secs: u64,
        #[arg(long, default_value_t = 64)]
        conns: usize,
    },
    /// The (4) SQLite challenge workload alone, optionally under `perf record` (profiling).
    #[command(hide = true)]
    ProfileChallenge {
        #[command(flatten)]
        opts: run::Options,
        #[arg(long, default_value_t = 10)]
        secs: u64,
        /// Write a perf profile of the server here.
        #[arg(long)]
        perf: Option<std::path::PathBuf>,
        /// Extra server environment, NAME=VALUE (repeatable).
        #[arg(long = "env", value_parser = parse_env)]
        env: Vec<(String, String)>,
    },
    /// A baseline server (part of this harness only, never of the product).
    #[command(hide = true)]
    Baseline {
        kind: baseline::Kind,
        #[arg(long)]
        db: Option<String>,
    },
}

fn parse_env(s: &str) -> Result<(String, String), String> {
    s.split_once('=')
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .ok_or_else(|| format!("expected NAME=VALUE, got {s}"))
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!(
        "{cores} cores, {cpu}; load average at start {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    )
}

fn bench(plan: run::Plan, opts: run::Options) -> anyhow::Result<bool> {
    let smoke = plan.smoke;
    let mut ctx = run::Ctx::new(plan, &opts)?;
    println!(
        "twofa-bench {} run; machine: {}",
        if smoke { "smoke" } else { "full" },
        machine()
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(run::execute(&mut ctx, &opts))?;
    ctx.report.note(format!(
        "machine: {}",
        machine().replace("at start", "at end")
    ));
    let table = ctx.report.markdown();
    println!("\n{table}");
    if let Some(path) = &opts.markdown {
        std::fs::write(path, &table)?;
    }
    let failed = ctx.report.count(|v| matches!(v, report::Verdict::Fail));
    let missing = ctx
        .report
        .count(|v| matches!(v, report::Verdict::Missing(_)));
    println!("{failed} target(s) missed, {missing} figure(s) not measured");
    if smoke {
        for f in &ctx.failures {
            eprintln!("smoke failure: {f}");
        }
        // Ratios are for the full run; the smoke run only proves the harness works.
        return Ok(ctx.failures.is_empty());
    }
    Ok(true)
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let ok = match cli.cmd {
        Cmd::Baseline { kind, db } => {
            baseline::serve(kind, db)?;
            true
        }
        Cmd::Drive { addr, secs, conns } => {
            anyhow::ensure!(
                addr.ip().is_loopback(),
                "the harness talks to 127.0.0.1 only"
            );
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            let spec = load::Spec {
                connections: conns,
                duration: std::time::Duration::from_secs(secs.min(120)),
                max_requests: 10_000_000,
                rate: None,
            };
            let work = std::sync::Arc::new(flows::format_error_workload());
            let out = rt.block_on(load::run(addr, work, spec));
            println!("{}", out.summary());
            true
        }
        Cmd::ProfileChallenge {
            opts,
            secs,
            perf,
            env,
        } => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(profile::challenge(&opts, secs.min(120), perf, &env))?;
            true
        }
        Cmd::Full(opts) => bench(run::Plan::full(), opts)?,
        Cmd::Smoke(opts) => bench(run::Plan::smoke(), opts)?,
    };
    if !ok {
        std::process::exit(1);
    }
    Ok(())
}
