//! Servers on state the test owns (a data dir and, on the PostgreSQL run, a database), so a test
//! can stop, kill, restart or copy them, run the `twofa` CLI on the same state, or start several
//! servers on one database.

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use url::Url;

use crate::backend::{Backend, Database};
use crate::client::{expect_json, Client};
use crate::helpers::twofa_bin;
use crate::tools::totp_at;

pub const PASSWORD: &str = "correct horse battery staple 42";

/// A data dir plus, when `TWOFA_TEST_BACKEND=postgres`, a database of its own.
pub struct Store {
    pub dir: TempDir,
    pub database: Option<Database>,
}

impl Store {
    pub async fn new() -> Store {
        let database = match Backend::from_env() {
            Backend::Sqlite => None,
            Backend::Postgres { admin_url } => Some(
                tokio::task::spawn_blocking(move || Database::create(&admin_url))
                    .await
                    .expect("create database"),
            ),
        };
        Store {
            dir: tempfile::tempdir().expect("temp dir"),
            database,
        }
    }

    pub fn data_dir(&self) -> &Path {
        self.dir.path()
    }

    pub fn database_url(&self) -> Option<&str> {
        self.database.as_ref().map(|d| d.url.as_str())
    }

    /// The settings every process on this store gets.
    pub fn env(&self) -> Vec<(String, String)> {
        let mut env = vec![("TWOFA_DATA_DIR".to_owned(), path_str(self.data_dir()))];
        if let Some(url) = self.database_url() {
            env.push(("TWOFA_DATABASE_URL".into(), url.into()));
        }
        env
    }

    pub async fn start(&self, extra: &[(&str, &str)]) -> Server {
        let mut env = self.env();
        env.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        Server::start(self.data_dir(), &env).await
    }

    /// Runs `twofa ARGS` on this store and waits for it.
    pub async fn cli(&self, args: &[&str], stdin: Option<&str>, extra: &[(&str, &str)]) -> Output {
        run_cli(&self.env(), args, stdin, extra).await
    }
}

pub fn path_str(path: &Path) -> String {
    path.to_str().expect("UTF-8 temp path").to_owned()
}

pub async fn run_cli(
    env: &[(String, String)],
    args: &[&str],
    stdin: Option<&str>,
    extra: &[(&str, &str)],
) -> Output {
    use tokio::io::AsyncWriteExt;
    let mut cmd = Command::new(twofa_bin());
    cmd.args(args)
        .env_remove("TWOFA_DATABASE_URL")
        .env_remove("TWOFA_SECRET_KEY")
        .env("TWOFA_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .envs(extra.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let mut child = cmd.spawn().expect("start the twofa CLI");
    let mut pipe = child.stdin.take().expect("piped stdin");
    if let Some(text) = stdin {
        pipe.write_all(text.as_bytes()).await.expect("write stdin");
    }
    drop(pipe);
    tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the CLI finishes within 2 minutes")
        .expect("CLI output")
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts success and returns stdout.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "twofa failed ({:?}); stdout: {} stderr: {}",
        out.status,
        stdout(out),
        stderr(out)
    );
    stdout(out)
}

/// Asserts exit status 1 and returns stderr.
pub fn failed(out: &Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(1),
        "expected exit 1; stdout: {} stderr: {}",
        stdout(out),
        stderr(out)
    );
    stderr(out)
}

/// One running `twofa serve`.
pub struct Server {
    pub base: Url,
    pub client: Client,
    child: Child,
    log_path: PathBuf,
    clock: AtomicI64,
}

static SERVER_SEQ: AtomicI64 = AtomicI64::new(0);

impl Server {
    pub async fn start(data_dir: &Path, env: &[(String, String)]) -> Server {
        let n = SERVER_SEQ.fetch_add(1, Ordering::SeqCst);
        let log_path =
            std::env::temp_dir().join(format!("twofa-ops-{}-{n}.log", std::process::id()));
        let log = std::fs::File::create(&log_path).expect("server log file");
        let mut cmd = Command::new(twofa_bin());
        cmd.arg("serve")
            .current_dir(data_dir)
            .env("TWOFA_BIND", "127.0.0.1:0")
            .env("TWOFA_LOG", "info")
            .env("TWOFA_LOG_FORMAT", "text")
            .env("TWOFA_IP_FAILURE_LIMIT", "100000")
            .env("TWOFA_ACCOUNT_FAILURE_LIMIT", "100000")
            .env("TWOFA_LOGIN_FAILURE_LIMIT", "100000")
            .env_remove("TWOFA_DATABASE_URL")
            .env_remove("TWOFA_SECRET_KEY")
            .env_remove("TWOFA_PUBLIC_ORIGIN")
            .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        let mut child = cmd.spawn().expect("start twofa serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let listening = async move {
            let mut lines = BufReader::new(stdout);
            let mut line = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.ok()? == 0 {
                    return None;
                }
                if let Some(url) = line.trim().strip_prefix("twofa listening on ") {
                    let url = Url::parse(url).expect("listening URL");
                    tokio::spawn(async move {
                        let mut sink = Vec::new();
                        let _ = lines.read_to_end(&mut sink).await;
                    });
                    return Some(url);
                }
            }
        };
        let base = match tokio::time::timeout(Duration::from_secs(60), listening).await {
            Ok(Some(base)) => base,
            _ => panic!(
                "twofa did not start; its log:\n{}",
                std::fs::read_to_string(&log_path).unwrap_or_default()
            ),
        };
        Server {
            client: Client::browser(&base),
            base,
            child,
            log_path,
            clock: AtomicI64::new(0),
        }
    }

    pub fn new_client(&self) -> Client {
        Client::browser(&self.base)
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("the server runs")
    }

    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    pub async fn set_clock(&self, now: i64) {
        let resp = Client::bare(&self.base)
            .post("/api/__test/clock", json!({ "now": now }))
            .await;
        assert_eq!(
            resp.status().as_u16(),
            204,
            "the test clock needs --features test-clock"
        );
        self.clock.store(now, Ordering::SeqCst);
    }

    pub fn now(&self) -> i64 {
        self.clock.load(Ordering::SeqCst)
    }

    /// SIGTERM, then waits for the exit status.
    pub async fn stop(mut self) -> std::process::ExitStatus {
        signal(self.pid(), "TERM");
        tokio::time::timeout(Duration::from_secs(30), self.child.wait())
            .await
            .expect("the server stops within 30 s of SIGTERM")
            .expect("exit status")
    }

    /// SIGKILL, then waits for the process to be gone.
    pub async fn kill(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }
}

pub fn signal(pid: u32, name: &str) {
    let status = std::process::Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .expect("run kill");
    assert!(status.success(), "kill -{name} {pid} failed");
}

/// Signs `client` in with the password (no 2FA yet), enables 2FA with the pinned clock of
/// `server` and returns (base32 secret, recovery codes). The client stays signed in.
pub async fn enroll(server: &Server, client: &Client, username: &str) -> (String, Vec<String>) {
    let login = expect_json(client.login(username, PASSWORD).await, 200).await;
    assert_eq!(login["status"], "authenticated", "{login}");
    let pending = expect_json(client.enable(PASSWORD).await, 200).await;
    let secret = pending["secret"].as_str().expect("secret").replace(' ', "");
    let codes = expect_json(client.verify(&totp_at(&secret, server.now())).await, 200).await;
    let codes = codes["recovery_codes"]
        .as_array()
        .expect("recovery codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    (secret, codes)
}

/// Password + TOTP code at the server's pinned time; returns the challenge answer body.
pub async fn sign_in_totp(server: &Server, client: &Client, username: &str, secret: &str) -> Value {
    let challenge = client.start_challenge(username, PASSWORD).await;
    expect_json(
        client
            .challenge_with_code(&challenge, &totp_at(secret, server.now()))
            .await,
        200,
    )
    .await
}

/// Creates a user through the CLI (password on stdin).
pub async fn add_user(store: &Store, name: &str, admin: bool) {
    let mut args = vec!["user", "add", name];
    if admin {
        args.push("--admin");
    }
    ok(&store.cli(&args, Some(&format!("{PASSWORD}\n")), &[]).await);
}
