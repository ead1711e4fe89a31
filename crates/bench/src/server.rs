//! Server processes under test: the real `twofa` binary and the baseline servers (this binary
//! re-run with the hidden `baseline` subcommand). Each prints one `... listening on http://ADDR`
//! line on stdout; logs go to a file so a failure can show the last lines.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{bail, Context};

pub struct Server {
    pub addr: SocketAddr,
    child: Child,
    log: PathBuf,
}

/// Resident set figures of a process, KiB, from /proc/PID/status.
#[derive(Clone, Copy, Debug)]
pub struct Rss {
    pub current_kib: u64,
    pub peak_kib: u64,
}

impl Server {
    /// Starts `cmd` and waits (bounded) for its listening line.
    pub fn spawn(name: &str, mut cmd: Command, log: &Path) -> anyhow::Result<Server> {
        let log_file = std::fs::File::create(log)?;
        cmd.stdout(Stdio::piped())
            .stderr(log_file)
            .stdin(Stdio::null());
        let mut child = cmd
            .spawn()
            .with_context(|| format!("cannot start {name}: {cmd:?}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            for line in lines.by_ref().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on http://").nth(1) {
                    let _ = tx.send(rest.trim().to_owned());
                    break;
                }
            }
            // Keep draining so the server never blocks on a full pipe.
            for _ in lines {}
        });
        let addr = match rx.recv_timeout(Duration::from_secs(90)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                let _ = child.wait();
                bail!(
                    "{name} did not print its listening line within 90 s; last log lines:\n{}",
                    tail(log, 20)
                );
            }
        };
        let addr: SocketAddr = addr
            .parse()
            .with_context(|| format!("{name} address {addr}"))?;
        anyhow::ensure!(
            addr.ip().is_loopback(),
            "{name} listens on {addr}, not on loopback"
        );
        Ok(Server {
            addr,
            child,
            log: log.to_owned(),
        })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn rss(&self) -> Option<Rss> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let field = |name: &str| {
            status.lines().find(|l| l.starts_with(name)).and_then(|l| {
                l.split_whitespace()
                    .nth(1)
                    .and_then(|v| v.parse::<u64>().ok())
            })
        };
        Some(Rss {
            current_kib: field("VmRSS:")?,
            peak_kib: field("VmHWM:")?,
        })
    }

    /// The idle baseline of a server that has just printed its listening line: VmRSS read every
    /// 100 ms until two readings agree within 256 KiB (at most 3 s), so memory the start-up is
    /// still touching or handing back (migrations, the allocator's first segments) is not taken
    /// for the idle figure the RSS budgets (3b, 3c) start from.
    pub async fn idle_rss(&self) -> Option<Rss> {
        let mut last = self.rss()?;
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let now = self.rss()?;
            if now.current_kib.abs_diff(last.current_kib) <= 256 {
                return Some(now);
            }
            last = now;
        }
        Some(last)
    }

    /// Starts a new peak: the kernel resets VmHWM to the current VmRSS ("5" to clear_refs).
    pub fn reset_peak(&self) -> anyhow::Result<()> {
        std::fs::write(format!("/proc/{}/clear_refs", self.pid()), "5")
            .context("cannot reset the server's VmHWM")
    }

    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }

    /// SIGTERM (graceful), then SIGKILL after 10 s.
    pub fn stop(mut self) {
        self.terminate();
    }

    fn terminate(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        for _ in 0..100 {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.terminate();
    }
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}
