//! What the attack tests need beyond `helpers.rs`: a server on a data dir the test owns (to read
//! the SQLite file, restart with another key, measure memory or run the binary built without the
//! test clock), raw response inspection (headers, every `Set-Cookie`) and extra users.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use reqwest::header::{HeaderMap, RETRY_AFTER, SET_COOKIE};
use reqwest::Response;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, BufReader};
use tokio::process::{Child, Command};
use url::Url;

use crate::client::{expect_json, Client};
use crate::helpers::{aligned_now, twofa_bin, STEP};
use crate::tools::totp_at;

const LISTENING: &str = "twofa listening on ";
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
pub const PASSWORD: &str = "correct horse battery staple 42";

/// Throttles out of the way for tests that are not about throttling.
pub const RELAXED: [(&str, &str); 4] = [
    ("TWOFA_IP_FAILURE_LIMIT", "100000"),
    ("TWOFA_ACCOUNT_FAILURE_LIMIT", "100000"),
    ("TWOFA_LOGIN_FAILURE_LIMIT", "100000"),
    ("TWOFA_LOGIN_IP_FAILURE_LIMIT", "100000"),
];

/// A `twofa` process on a data dir that outlives it, so a test can restart it or read its files.
pub struct Server {
    pub base: Url,
    pub client: Client,
    pub data_dir: PathBuf,
    child: Child,
    log_path: PathBuf,
}

/// How a start attempt ended: listening, or exited with this status and stderr.
pub enum Start {
    Listening(Box<Server>),
    Exited { code: Option<i32>, log: String },
}

impl Server {
    /// Starts `bin` on `data_dir` with the relaxed throttles plus `env`; panics unless it listens.
    pub async fn start(bin: &Path, data_dir: &Path, env: &[(&str, &str)]) -> Server {
        match Self::try_start(bin, data_dir, env).await {
            Start::Listening(server) => *server,
            Start::Exited { code, log } => panic!("twofa exited ({code:?}) at start:\n{log}"),
        }
    }

    pub async fn try_start(bin: &Path, data_dir: &Path, env: &[(&str, &str)]) -> Start {
        let log_path = data_dir.join(format!("server-{:08x}.log", rand::random::<u32>()));
        let log = std::fs::File::create(&log_path).expect("log file");
        let mut child = Command::new(bin)
            .arg("serve")
            .current_dir(data_dir)
            .env("TWOFA_BIND", "127.0.0.1:0")
            .env("TWOFA_DATA_DIR", data_dir)
            .env("TWOFA_LOG", "debug")
            .env("TWOFA_LOG_FORMAT", "text")
            .env_remove("TWOFA_DATABASE_URL")
            .env_remove("TWOFA_SECRET_KEY")
            .env_remove("TWOFA_PUBLIC_ORIGIN")
            .envs(RELAXED.iter().copied())
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdout = child.stdout.take().expect("piped stdout");
        let mut lines = BufReader::new(stdout);
        let listening = tokio::time::timeout(STARTUP_TIMEOUT, async {
            let mut line = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await.ok()? == 0 {
                    return None;
                }
                if let Some(url) = line.trim().strip_prefix(LISTENING) {
                    return Some(Url::parse(url).expect("listening URL"));
                }
            }
        })
        .await;
        match listening {
            Ok(Some(base)) => {
                tokio::spawn(async move {
                    let mut sink = Vec::new();
                    let _ = lines.read_to_end(&mut sink).await;
                });
                Start::Listening(Box::new(Server {
                    client: Client::browser(&base),
                    base,
                    data_dir: data_dir.to_owned(),
                    child,
                    log_path,
                }))
            }
            Ok(None) => {
                let status = tokio::time::timeout(Duration::from_secs(10), child.wait()).await;
                let code = status.ok().and_then(|s| s.ok()).and_then(|s| s.code());
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                Start::Exited { code, log }
            }
            Err(_) => {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                panic!("twofa neither listened nor exited within {STARTUP_TIMEOUT:?}:\n{log}");
            }
        }
    }

    /// The default test binary (built with `test-clock`).
    pub async fn start_default(data_dir: &Path, env: &[(&str, &str)]) -> Server {
        Self::start(&twofa_bin(), data_dir, env).await
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("server is running")
    }

    pub fn new_client(&self) -> Client {
        Client::browser(&self.base)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log_path).unwrap_or_default()
    }

    pub fn db_path(&self) -> PathBuf {
        self.data_dir.join("twofa.db")
    }

    /// Ends the process and waits for it, so the data dir can be reused.
    pub async fn stop(mut self) {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
    }

    pub async fn set_clock(&self, now: i64) {
        let resp = Client::bare(&self.base)
            .post("/api/__test/clock", json!({ "now": now }))
            .await;
        assert_eq!(resp.status(), 204, "the test clock route answers");
    }
}

/// Creates the first admin through `/api/setup`.
pub async fn setup_admin(client: &Client, username: &str) {
    expect_json(client.setup(username, PASSWORD).await, 201).await;
}

/// Creates another user through the admin API (the caller's client holds an admin session).
pub async fn add_user(admin: &Client, username: &str) {
    let body = json!({"username": username, "password": PASSWORD});
    expect_json(admin.post("/api/admin/users", body).await, 201).await;
}

/// Turns 2FA on for the user logged in on `client` (password-only session), with the clock
/// pinned at `now`. Returns the secret and the recovery codes.
pub async fn enroll(client: &Client, now: i64) -> (String, Vec<String>) {
    let pending = expect_json(client.enable(PASSWORD).await, 200).await;
    let secret = pending["secret"].as_str().expect("secret").replace(' ', "");
    let codes = expect_json(client.verify(&totp_at(&secret, now)).await, 200).await;
    let codes = codes["recovery_codes"]
        .as_array()
        .expect("recovery_codes")
        .iter()
        .map(|c| c.as_str().expect("code string").to_owned())
        .collect();
    (secret, codes)
}

/// A first admin with 2FA on, on a `Server`; the clock is pinned and advanced one step past
/// the enrolment so the next code is fresh. Returns (secret, recovery codes, now).
pub async fn enrolled_admin(server: &Server, username: &str) -> (String, Vec<String>, i64) {
    let now = aligned_now();
    server.set_clock(now).await;
    setup_admin(&server.client, username).await;
    expect_json(server.client.login(username, PASSWORD).await, 200).await;
    let (secret, codes) = enroll(&server.client, now).await;
    assert_eq!(server.client.logout().await.status(), 204);
    let now = now + STEP;
    server.set_clock(now).await;
    (secret, codes, now)
}

/// One header as text, if present.
pub fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .map(|v| v.to_str().expect("header is ASCII").to_owned())
}

pub fn retry_after(resp: &Response) -> u64 {
    header(resp.headers(), RETRY_AFTER.as_str())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{} carries Retry-After in seconds", resp.status()))
}

/// One `Set-Cookie` header, split into name, value and lower-cased attributes.
#[derive(Debug, Clone)]
pub struct SetCookie {
    pub name: String,
    pub value: String,
    pub attrs: Vec<(String, Option<String>)>,
    pub raw: String,
}

impl SetCookie {
    pub fn attr(&self, name: &str) -> Option<Option<&str>> {
        self.attrs
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_deref())
    }
}

pub fn set_cookies(headers: &HeaderMap) -> Vec<SetCookie> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| {
            let raw = v.to_str().expect("Set-Cookie is ASCII").to_owned();
            let mut parts = raw.split(';').map(str::trim);
            let (name, value) = parts
                .next()
                .and_then(|p| p.split_once('='))
                .expect("Set-Cookie starts with name=value");
            let attrs = parts
                .filter(|p| !p.is_empty())
                .map(|p| match p.split_once('=') {
                    Some((k, v)) => (k.to_ascii_lowercase(), Some(v.to_owned())),
                    None => (p.to_ascii_lowercase(), None),
                })
                .collect();
            SetCookie {
                name: name.to_owned(),
                value: value.to_owned(),
                attrs,
                raw,
            }
        })
        .collect()
}

/// Status and error code (`"200"` when the body has none), consuming the response.
pub async fn outcome(resp: Response) -> String {
    let status = resp.status().as_u16();
    let body: Value = resp.json().await.unwrap_or_default();
    match body["error"]["code"].as_str() {
        Some(code) => format!("{status} {code}"),
        None => status.to_string(),
    }
}

/// The binary built without the `test-clock` feature: `TWOFA_PLAIN_BIN`, else built here into
/// a target dir of its own (so the test-clock binary the other tests run is never replaced).
pub fn plain_bin() -> PathBuf {
    if let Some(bin) = std::env::var_os("TWOFA_PLAIN_BIN") {
        return bin.into();
    }
    let target = "/var/cache/twofa/target-plain";
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("workspace root");
    let status = std::process::Command::new(env!("CARGO"))
        .args([
            "build",
            "-p",
            "twofa-api",
            "--bin",
            "twofa",
            "--target-dir",
            target,
        ])
        .current_dir(workspace)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building twofa without test-clock failed");
    PathBuf::from(target).join("debug/twofa")
}

/// A user with 2FA on, known by name and secret.
pub struct Enrolled {
    pub username: String,
    pub secret: String,
    pub recovery_codes: Vec<String>,
}

/// The admin from `/api/setup` plus `extra` users from the admin API, all with 2FA on. The clock
/// is pinned; afterwards it stands one step past every enrolment.
pub async fn enrolled_users(app: &crate::helpers::TestApp, extra: usize) -> Vec<Enrolled> {
    app.set_clock(aligned_now()).await;
    let admin = app.setup_user().await;
    assert_eq!(
        admin.password, PASSWORD,
        "helpers and attack helpers share the password"
    );
    let boss = app.new_client();
    expect_json(boss.login(&admin.username, PASSWORD).await, 200).await;
    let mut names = vec![admin.username.clone()];
    for i in 0..extra {
        let name = format!("user{i}");
        add_user(&boss, &name).await;
        names.push(name);
    }
    let mut users = Vec::new();
    for name in names {
        let c = app.new_client();
        expect_json(c.login(&name, PASSWORD).await, 200).await;
        let (secret, recovery_codes) = enroll(&c, app.now()).await;
        users.push(Enrolled {
            username: name,
            secret,
            recovery_codes,
        });
    }
    app.advance_clock(STEP).await;
    users
}
