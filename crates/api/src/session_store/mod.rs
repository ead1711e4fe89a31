//! Browser sessions behind actix-session's `SessionStore`: in the database by default
//! (`db.rs`), or in Redis with `TWOFA_SESSION_STORE=redis://…` (`redis.rs`). Either way only a
//! SHA-256 of the session key is stored, idle (30 min) and absolute (12 h) limits are enforced
//! on the server's clock, and a session is over once the user's session epoch moves on (the
//! epoch is raised in the transaction that ends the user's sessions, so ending them is atomic
//! with the change that asks for it, whichever store holds them).

mod db;
mod redis;

use std::collections::HashMap;

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;

pub use self::db::{preset, DbSessionStore};
pub use self::redis::RedisSessionStore;
use crate::auth::ClientInfo;

/// Session state keys (values are JSON, as actix-session stores them).
pub const USER_ID: &str = "user_id";
pub const EPOCH: &str = "epoch";
pub const CHALLENGE_BINDING: &str = "challenge_binding";
pub const IP: &str = "ip";
pub const USER_AGENT: &str = "user_agent";
/// Injected on load so handlers know their own database row; never persisted.
pub const SESSION_ROW_ID: &str = "_row";
/// Injected on load by the Redis store: the session's id there; never persisted.
pub const REDIS_ID: &str = "_redis_id";
/// The key of a session already written for a sign-in (in or before the transaction that
/// consumes the second factor): `save` adopts it instead of creating one. Never persisted.
pub const PRESET_KEY: &str = "_preset_key";

/// Load refreshes `last_seen_at` at most this often.
const TOUCH_EVERY_SECS: i64 = 60;

pub(crate) type State = HashMap<String, String>;

fn json_value<T: serde::de::DeserializeOwned>(state: &State, key: &str) -> Option<T> {
    state.get(key).and_then(|v| serde_json::from_str(v).ok())
}

/// Keys injected on load: they describe the stored session and are never written back.
fn strip_injected(state: &mut State) {
    state.remove(SESSION_ROW_ID);
    state.remove(REDIS_ID);
    state.remove(PRESET_KEY);
}

/// The state of a signed-in browser session.
pub fn signed_in_state(user_id: i64, epoch: i64, client: &ClientInfo) -> State {
    let mut state = State::new();
    state.insert(USER_ID.into(), serde_json::json!(user_id).to_string());
    state.insert(EPOCH.into(), serde_json::json!(epoch).to_string());
    if let Some(ip) = &client.ip {
        state.insert(IP.into(), serde_json::json!(ip).to_string());
    }
    if let Some(ua) = &client.user_agent {
        state.insert(USER_AGENT.into(), serde_json::json!(ua).to_string());
    }
    state
}

/// The store the session middleware uses, picked at start-up.
#[derive(Clone)]
pub enum AnyStore {
    Database(DbSessionStore),
    Redis(RedisSessionStore),
}

impl SessionStore for AnyStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        match self {
            AnyStore::Database(s) => s.load(session_key).await,
            AnyStore::Redis(s) => s.load(session_key).await,
        }
    }

    async fn save(&self, state: State, ttl: &Duration) -> Result<SessionKey, SaveError> {
        match self {
            AnyStore::Database(s) => s.save(state, ttl).await,
            AnyStore::Redis(s) => s.save(state, ttl).await,
        }
    }

    async fn update(
        &self,
        session_key: SessionKey,
        state: State,
        ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        match self {
            AnyStore::Database(s) => s.update(session_key, state, ttl).await,
            AnyStore::Redis(s) => s.update(session_key, state, ttl).await,
        }
    }

    async fn update_ttl(&self, session_key: &SessionKey, ttl: &Duration) -> anyhow::Result<()> {
        match self {
            AnyStore::Database(s) => s.update_ttl(session_key, ttl).await,
            AnyStore::Redis(s) => s.update_ttl(session_key, ttl).await,
        }
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        match self {
            AnyStore::Database(s) => s.delete(session_key).await,
            AnyStore::Redis(s) => s.delete(session_key).await,
        }
    }
}
