//! Typed settings: built-in defaults, then an optional file named by `TWOFA_CONFIG`, then `TWOFA_*`
//! environment variables (DESIGN §3b).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Settings {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<String>,
    /// 64 hex characters; overrides `<data_dir>/secret.key`.
    pub secret_key: Option<String>,
    pub issuer: String,
    /// e.g. `https://backup.example.com`; when unset, the origin check uses the Host header.
    pub public_origin: Option<String>,
    pub static_dir: PathBuf,
    pub log: String,
    pub log_format: LogFormat,
    pub ip_failure_limit: u32,
    pub account_failure_limit: u32,
    pub account_lock_secs: u64,
    pub login_failure_limit: u32,
    /// `TWOFA_LOGIN_IP_FAILURE_LIMIT`: password failures per client IP across usernames.
    pub login_ip_failure_limit: u32,
    /// `TWOFA_REQUIRE_2FA`: who must have 2FA (see service/policy.rs).
    #[serde(default)]
    pub require_2fa: Require2fa,
    /// `TWOFA_REQUIRE_2FA_GRACE_DAYS`: days to enrol before the policy locks the account down.
    #[serde(default = "default_grace_days")]
    pub require_2fa_grace_days: u32,
    /// `TWOFA_TRUSTED_PROXIES`: comma-separated peer IPs whose `X-Request-Id` is kept.
    #[serde(default)]
    pub trusted_proxies: Option<String>,
    /// `TWOFA_SESSION_STORE`: `database` (default) or `redis://host:port[/db]` for browser
    /// sessions in Redis (bearer tokens stay in the database).
    #[serde(default)]
    pub session_store: Option<String>,
    /// `TWOFA_SESSION_STORE_PREFIX`: prefix of every Redis key, so deployments can share a Redis.
    pub session_store_prefix: String,
}

#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Require2fa {
    #[default]
    Off,
    Admins,
    All,
}

fn default_grace_days() -> u32 {
    7
}

#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    pub fn load() -> anyhow::Result<Self> {
        let mut builder = config::Config::builder()
            .set_default("bind", "127.0.0.1:8080")?
            .set_default("data_dir", "./data")?
            .set_default("issuer", "Borg Backup Server")?
            .set_default("static_dir", "frontend/dist")?
            .set_default("log", "info")?
            .set_default("log_format", "text")?
            .set_default("session_store_prefix", "twofa:")?
            .set_default("ip_failure_limit", 50)?
            .set_default("account_failure_limit", 10)?
            .set_default("account_lock_secs", 300)?
            .set_default("login_failure_limit", 20)?
            .set_default("login_ip_failure_limit", 100)?;
        if let Some(file) = std::env::var_os("TWOFA_CONFIG") {
            let path = PathBuf::from(file);
            builder = builder.add_source(config::File::from(path).required(true));
        }
        let settings: Settings = builder
            .add_source(
                config::Environment::with_prefix("TWOFA")
                    .prefix_separator("_")
                    .try_parsing(true),
            )
            .build()?
            .try_deserialize()
            .context("invalid twofa settings")?;
        settings.validated()
    }

    fn validated(mut self) -> anyhow::Result<Self> {
        // An empty variable means "not set", as shells and compose files often export them empty.
        self.database_url = self.database_url.filter(|v| !v.trim().is_empty());
        self.secret_key = self.secret_key.filter(|v| !v.trim().is_empty());
        self.session_store = self
            .session_store
            .filter(|v| !v.trim().is_empty() && v.trim() != "database");
        if let Some(url) = &self.session_store {
            anyhow::ensure!(
                url.starts_with("redis://") || url.starts_with("rediss://"),
                "TWOFA_SESSION_STORE must be `database` or a redis:// URL"
            );
        }
        anyhow::ensure!(
            !self.session_store_prefix.is_empty()
                && self
                    .session_store_prefix
                    .chars()
                    .all(|c| c.is_ascii_graphic() && c != '*'),
            "TWOFA_SESSION_STORE_PREFIX must be printable ASCII without spaces or '*'"
        );
        self.public_origin = self
            .public_origin
            .filter(|v| !v.trim().is_empty())
            .map(|v| v.trim_end_matches('/').to_owned());
        if let Some(origin) = &self.public_origin {
            let ok = (origin.starts_with("https://") || origin.starts_with("http://"))
                && !origin.contains(['?', '#', ' ']);
            anyhow::ensure!(ok, "TWOFA_PUBLIC_ORIGIN must look like https://host[:port]");
        }
        anyhow::ensure!(
            !self.issuer.is_empty() && !self.issuer.contains(':'),
            "TWOFA_ISSUER must be non-empty and must not contain ':'"
        );
        anyhow::ensure!(
            self.account_failure_limit > 0,
            "TWOFA_ACCOUNT_FAILURE_LIMIT must be > 0"
        );
        anyhow::ensure!(
            self.ip_failure_limit > 0,
            "TWOFA_IP_FAILURE_LIMIT must be > 0"
        );
        anyhow::ensure!(
            self.login_failure_limit > 0,
            "TWOFA_LOGIN_FAILURE_LIMIT must be > 0"
        );
        anyhow::ensure!(
            self.login_ip_failure_limit > 0,
            "TWOFA_LOGIN_IP_FAILURE_LIMIT must be > 0"
        );
        Ok(self)
    }

    /// Cookies get `Secure` and the `__Host-` prefix only when served over https.
    pub fn https(&self) -> bool {
        self.public_origin
            .as_deref()
            .is_some_and(|o| o.starts_with("https://"))
    }

    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => self
                .data_dir
                .join("twofa.db")
                .to_string_lossy()
                .into_owned(),
        }
    }
}
