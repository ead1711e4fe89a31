//! `spawn_app()`: the real `twofa` binary on a random port with a fresh data dir and database,
//! plus fixtures (an enrolled user) and the test clock.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use serde_json::{json, Value};
use tempfile::TempDir;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use url::Url;

use crate::backend::{Backend, Database};
use crate::client::{expect_json, Client};
use crate::tools::totp_at;

const DEFAULT_BIN: &str = "/var/cache/twofa/target/debug/twofa";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
const LISTENING: &str = "twofa listening on ";
pub const STEP: i64 = 30;

/// Throttles far above anything a test reaches unless the test is about throttling: races and
/// bad-input tables would otherwise trip the account lock instead of the rule under test.
pub const RELAXED_THROTTLES: [(&str, &str); 4] = [
    ("TWOFA_IP_FAILURE_LIMIT", "100000"),
    ("TWOFA_ACCOUNT_FAILURE_LIMIT", "100000"),
    ("TWOFA_LOGIN_FAILURE_LIMIT", "100000"),
    ("TWOFA_LOGIN_IP_FAILURE_LIMIT", "100000"),
];

pub fn twofa_bin() -> PathBuf {
    std::env::var_os("TWOFA_TEST_BIN").map_or_else(|| DEFAULT_BIN.into(), PathBuf::from)
}

pub struct TestApp {
    pub base: Url,
    /// The default browser.
    pub client: Client,
    clock: AtomicI64,
    child: Child,
    log_path: PathBuf,
    _database: Option<Database>,
    _dir: TempDir,
}

pub struct TestUser {
    pub username: String,
    pub password: String,
}

pub struct EnrolledUser {
    pub username: String,
    pub password: String,
    pub secret: String,
    pub recovery_codes: Vec<String>,
}

/// A server with relaxed throttles.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&RELAXED_THROTTLES).await
}

/// A server with relaxed throttles that logs at debug level, for tests that read its log.
pub async fn spawn_app_logging_debug() -> TestApp {
    let mut env = RELAXED_THROTTLES.to_vec();
    env.push(("TWOFA_LOG", "debug"));
    spawn_app_with(&env).await
}

/// A server with the production throttle defaults, except for the settings given.
pub async fn spawn_app_with(env: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let database = match Backend::from_env() {
        Backend::Sqlite => None,
        Backend::Postgres { admin_url } => Some(
            tokio::task::spawn_blocking(move || Database::create(&admin_url))
                .await
                .expect("create database"),
        ),
    };
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).expect("server log file");
    let bin = twofa_bin();
    let mut cmd = Command::new(&bin);
    cmd.arg("serve")
        .current_dir(dir.path())
        .env("TWOFA_BIND", "127.0.0.1:0")
        .env("TWOFA_DATA_DIR", dir.path())
        .env("TWOFA_LOG", "info")
        .env("TWOFA_LOG_FORMAT", "text")
        .env_remove("TWOFA_DATABASE_URL")
        .env_remove("TWOFA_SECRET_KEY")
        .env_remove("TWOFA_PUBLIC_ORIGIN")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true);
    if let Some(db) = &database {
        cmd.env("TWOFA_DATABASE_URL", &db.url);
    }
    let mut child = cmd.spawn().unwrap_or_else(|e| {
        panic!(
            "cannot start {}: {e}; build it with `cargo build -p twofa-api --features test-clock` \
             or set TWOFA_TEST_BIN",
            bin.display()
        )
    });
    let stdout = child.stdout.take().expect("piped stdout");
    let base = match tokio::time::timeout(STARTUP_TIMEOUT, listening_url(stdout)).await {
        Ok(Some(base)) => base,
        outcome => {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            let why = if outcome.is_err() {
                "timed out"
            } else {
                "exited"
            };
            panic!("twofa {why} before printing `{LISTENING}...`; its log:\n{log}");
        }
    };
    TestApp {
        client: Client::browser(&base),
        base,
        clock: AtomicI64::new(0),
        child,
        log_path,
        _database: database,
        _dir: dir,
    }
}

/// Reads stdout up to the listening line, then keeps draining it so the server never blocks.
async fn listening_url(stdout: ChildStdout) -> Option<Url> {
    let mut lines = BufReader::new(stdout);
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await.ok()? == 0 {
            return None;
        }
        if let Some(url) = line.trim().strip_prefix(LISTENING) {
            let url = Url::parse(url).expect("listening URL");
            tokio::spawn(async move {
                let mut sink = Vec::new();
                let _ = lines.read_to_end(&mut sink).await;
            });
            return Some(url);
        }
    }
}

impl TestApp {
    pub fn new_client(&self) -> Client {
        Client::browser(&self.base)
    }

    pub fn bearer_client(&self, token: &str) -> Client {
        Client::bearer(&self.base, token)
    }

    pub fn cookie_client(&self, session_id: &str) -> Client {
        Client::with_cookie(&self.base, session_id)
    }

    pub fn bare_client(&self) -> Client {
        Client::bare(&self.base)
    }

    /// The server's origin, as a browser would send it in `Origin`.
    pub fn origin(&self) -> String {
        self.base.origin().ascii_serialization()
    }

    /// Pins the server clock at `now` (unix seconds).
    pub async fn set_clock(&self, now: i64) {
        self.clock_call(json!({ "now": now })).await;
        self.clock.store(now, Ordering::SeqCst);
    }

    /// Moves the pinned clock forward.
    pub async fn advance_clock(&self, seconds: i64) {
        assert!(self.now() > 0, "pin the clock before advancing it");
        self.clock_call(json!({ "advance": seconds })).await;
        self.clock.fetch_add(seconds, Ordering::SeqCst);
    }

    /// The pinned server time.
    pub fn now(&self) -> i64 {
        let now = self.clock.load(Ordering::SeqCst);
        assert!(now > 0, "the clock is not pinned");
        now
    }

    /// The TOTP code for the pinned time, from the independent oracle.
    pub fn code_now(&self, secret: &str) -> String {
        totp_at(secret, self.now())
    }

    async fn clock_call(&self, body: Value) {
        let resp = self.bare_client().post("/api/__test/clock", body).await;
        assert_eq!(
            resp.status().as_u16(),
            204,
            "POST /api/__test/clock failed: build the server with \
             `cargo build -p twofa-api --features test-clock`"
        );
    }

    /// Creates the first (admin) user; the default client stays logged out.
    pub async fn setup_user(&self) -> TestUser {
        let user = TestUser {
            username: "alice".into(),
            password: "correct horse battery staple 42".into(),
        };
        let body = expect_json(self.client.setup(&user.username, &user.password).await, 201).await;
        assert_eq!(
            body["user"]["username"], user.username,
            "setup body: {body}"
        );
        user
    }

    /// Pins the clock (at the real time, mid-step), creates a user and turns on 2FA through
    /// the API. Afterwards the default client is logged out and the clock stands one step later,
    /// so `code_now` is a code that has not been used yet.
    pub async fn enrolled_user(&self) -> EnrolledUser {
        self.set_clock(aligned_now()).await;
        let user = self.setup_user().await;
        let c = &self.client;
        let login = expect_json(c.login(&user.username, &user.password).await, 200).await;
        assert_eq!(login["status"], "authenticated", "login body: {login}");
        let pending = expect_json(c.enable(&user.password).await, 200).await;
        let secret = pending["secret"].as_str().expect("secret").replace(' ', "");
        let codes = expect_json(c.verify(&self.code_now(&secret)).await, 200).await;
        let recovery_codes = codes["recovery_codes"]
            .as_array()
            .expect("recovery_codes array")
            .iter()
            .map(|v| v.as_str().expect("recovery code string").to_owned())
            .collect();
        assert_eq!(c.logout().await.status().as_u16(), 204);
        self.advance_clock(STEP).await;
        EnrolledUser {
            username: user.username,
            password: user.password,
            secret,
            recovery_codes,
        }
    }

    /// The server's data dir (key file, SQLite files).
    pub fn data_dir(&self) -> &std::path::Path {
        self._dir.path()
    }

    /// Everything the server wrote to stderr so far.
    pub fn server_log(&self) -> String {
        std::fs::read_to_string(&self.log_path).expect("server log")
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
        if std::thread::panicking() {
            let log = std::fs::read_to_string(&self.log_path).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            eprintln!("--- last server log lines ---\n{}", tail.join("\n"));
        }
    }
}

/// The real time, moved to 10 s into its 30 s step: far from both step boundaries, and close
/// enough to the real clock that cookie lifetimes computed from it still make sense.
pub fn aligned_now() -> i64 {
    #[allow(clippy::disallowed_methods)] // the test's own clock, not the server's
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock after 1970")
        .as_secs();
    let real = i64::try_from(real).expect("time fits i64");
    real - real.rem_euclid(STEP) + 10
}
