//! In-process and side-process figures: the argon2 crate's verify (the login baseline), the
//! twofa-core criterion bench's ratio mode (owned by the core crate; called, not duplicated), and
//! pyotp's `verify(valid_window=1)` in a venv, all inside the same run.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, ensure, Context};
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::PasswordVerifier;
use argon2::Argon2;

pub const VENV: &str = "/var/cache/twofa/venv";
const PYOTP: &str = "pyotp==2.12.1";

/// One raw argon2 verify of `password` against a stored PHC string, in milliseconds. The
/// parameters come from the PHC string itself, i.e. exactly those the server stored.
pub fn argon2_verify_ms(password: &str, phc: &str) -> anyhow::Result<f64> {
    let parsed = PasswordHash::new(phc).map_err(|e| anyhow::anyhow!("bad PHC string: {e}"))?;
    let started = Instant::now();
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    ensure!(ok, "the stored hash does not verify the bench password");
    Ok(ms)
}

/// Aggregate rate of `threads` threads verifying in a loop for `duration` (informational).
pub fn argon2_rate(password: &str, phc: &str, threads: usize, duration: Duration) -> f64 {
    let started = Instant::now();
    let total: u64 = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0u64;
                    while started.elapsed() < duration {
                        if argon2_verify_ms(password, phc).is_ok() {
                            n += 1;
                        }
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}

/// The figures printed by `cargo bench -p twofa-core` in its ratio mode.
#[derive(Debug)]
pub struct CoreBench {
    pub raw_window_ns: f64,
    pub verify_w1_ns: f64,
    pub verify_match_ns: [f64; 3],
}

fn number_after(text: &str, label: &str) -> Option<f64> {
    let line = text.lines().find(|l| l.trim_start().starts_with(label))?;
    line[line.find(label)? + label.len()..]
        .split(|c: char| c.is_whitespace() || c == '/')
        .find(|t| !t.is_empty())?
        .parse()
        .ok()
}

/// Runs the core crate's bench in quick ratio mode and reads its figures.
pub fn core_bench(repo: &Path) -> anyhow::Result<CoreBench> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let out = Command::new(cargo)
        .current_dir(repo)
        .args([
            "bench",
            "-p",
            "twofa-core",
            "--bench",
            "core",
            "--",
            "--quick",
        ])
        .env("TWOFA_BENCH_QUICK", "1")
        .output()
        .context("cannot run cargo bench -p twofa-core")?;
    let text = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "cargo bench -p twofa-core failed: {}",
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or("")
        );
    }
    let get = |label: &str| {
        number_after(&text, label)
            .with_context(|| format!("the core bench output has no '{label}' figure"))
    };
    let matches_line = text
        .lines()
        .find(|l| l.contains("verify +-1, match -1 / 0 / +1"))
        .context("no match line in the core bench output")?;
    let nums: Vec<f64> = matches_line
        .split(|c: char| c.is_whitespace() || c == '/')
        .filter_map(|t| t.parse().ok())
        .collect();
    ensure!(
        nums.len() >= 3,
        "cannot read the match line: {matches_line}"
    );
    let n = nums.len();
    Ok(CoreBench {
        raw_window_ns: get("raw 3x HMAC-SHA1 window")?,
        verify_w1_ns: get("verify +-1, wrong code")?,
        verify_match_ns: [nums[n - 3], nums[n - 2], nums[n - 1]],
    })
}

/// Creates the venv with pyotp when missing (one pip install; idempotent).
pub fn ensure_venv() -> anyhow::Result<std::path::PathBuf> {
    let python = Path::new(VENV).join("bin/python");
    let has_pyotp = python.exists()
        && Command::new(&python)
            .args(["-c", "import pyotp"])
            .status()
            .is_ok_and(|s| s.success());
    if !has_pyotp {
        let ok = Command::new("python3")
            .args(["-m", "venv", VENV])
            .status()?
            .success();
        ensure!(ok, "python3 -m venv {VENV} failed");
        let ok = Command::new(&python)
            .args([
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                PYOTP,
            ])
            .status()?
            .success();
        ensure!(ok, "pip install {PYOTP} into {VENV} failed");
    }
    Ok(python)
}

/// pyotp `TOTP.verify(valid_window=1)` with a wrong code, median microseconds per call.
pub fn pyotp_verify_us(repo: &Path) -> anyhow::Result<f64> {
    let python = ensure_venv()?;
    let out = Command::new(python)
        .arg(repo.join("bench/pyotp_verify.py"))
        .output()
        .context("cannot run bench/pyotp_verify.py")?;
    ensure!(
        out.status.success(),
        "pyotp_verify.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    v["verify_w1_us"]
        .as_f64()
        .context("pyotp_verify.py printed no verify_w1_us")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_core_bench_figures() {
        let text = "  raw 3x HMAC-SHA1 window             651.0 ns\n  \
                    verify +-1, wrong code              702.5 ns\n";
        assert_eq!(number_after(text, "raw 3x HMAC-SHA1 window"), Some(651.0));
        assert_eq!(number_after(text, "verify +-1, wrong code"), Some(702.5));
        assert_eq!(number_after(text, "missing"), None);
    }
}
