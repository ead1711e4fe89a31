//! Shared application state handed to every handler as `web::Data<AppState>`.

use std::sync::Arc;

use crate::clock::SharedClock;
use crate::db::Db;
use crate::keys::Keys;
use crate::service::hashing::HashGate;
use crate::session_store::RedisSessionStore;
use crate::settings::Settings;

pub struct AppState {
    pub db: Db,
    pub clock: SharedClock,
    pub keys: Arc<Keys>,
    pub hashing: HashGate,
    pub settings: Settings,
    /// Peers whose `X-Forwarded-For` names the client (`TWOFA_TRUSTED_PROXIES`).
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Browser sessions live here instead of the database when `TWOFA_SESSION_STORE` is set.
    pub redis_sessions: Option<RedisSessionStore>,
    #[cfg(feature = "test-clock")]
    pub test_clock: std::sync::Arc<crate::clock::SettableClock>,
}

impl AppState {
    pub fn now(&self) -> i64 {
        self.clock.now()
    }
}
