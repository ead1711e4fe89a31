//! The Redis session store (`TWOFA_SESSION_STORE=redis://…`), for several instances that should
//! not read the database on every request. One JSON record per session under
//! `<prefix>session:<sha256 of key>`, and per user a sorted set of those hashes scored by when
//! each session ends (`<prefix>user-sessions:<id>`) so a user's sessions can be listed and the
//! index pruned on every write; the prefix is `TWOFA_SESSION_STORE_PREFIX` (`twofa:`). Ending
//! sessions is not done here: the user's session epoch is raised in the database transaction that
//! asks for it, and `CurrentUser` refuses a session whose epoch differs; records of older epochs
//! are dropped when listed, and Redis expires every record a little after its idle or absolute
//! limit, whichever comes first.

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;
use anyhow::Context;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use serde::{Deserialize, Serialize};

use super::{
    json_value, strip_injected, State, EPOCH, IP, PRESET_KEY, REDIS_ID, TOUCH_EVERY_SECS,
    USER_AGENT, USER_ID,
};
use crate::clock::SharedClock;
use crate::crypto::{is_token_shaped, random_token, sha256_hex};
use crate::db::sessions::{SessionRow, ABSOLUTE_SECS, COOKIE, IDLE_SECS};

/// Redis forgets a record this long after the session's end (the server's clock decides
/// liveness; Redis's expiry only collects garbage, so it errs late).
const GRACE_SECS: i64 = 300;

/// How long one Redis connection attempt or command may take before the request fails.
const OP_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(2);

#[derive(Serialize, Deserialize)]
struct Record {
    id: i64,
    user_id: Option<i64>,
    state: State,
    created_at: i64,
    last_seen_at: i64,
    expires_at: i64,
}

impl Record {
    fn is_live(&self, now: i64) -> bool {
        self.ends_at() > now
    }

    /// When the session ends unless it is used again: the idle or the absolute limit.
    fn ends_at(&self) -> i64 {
        self.expires_at.min(self.last_seen_at + IDLE_SECS)
    }

    fn epoch(&self) -> i64 {
        json_value(&self.state, EPOCH).unwrap_or(0)
    }
}

#[derive(Clone)]
pub struct RedisSessionStore {
    conn: ConnectionManager,
    clock: SharedClock,
    prefix: std::sync::Arc<str>,
}

impl RedisSessionStore {
    /// Connects (and checks the connection) to the Redis at `url`.
    pub async fn connect(url: &str, prefix: &str, clock: SharedClock) -> anyhow::Result<Self> {
        let client = redis::Client::open(url).context("TWOFA_SESSION_STORE is not a Redis URL")?;
        // Every wait is bounded: without these a request would hang for minutes on a Redis that
        // is gone (the manager's default has no timeouts and retries with growing delays).
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(OP_TIMEOUT)
            .set_response_timeout(OP_TIMEOUT)
            .set_number_of_retries(2)
            .set_max_delay(500);
        let conn = tokio::time::timeout(
            std::time::Duration::from_secs(10),
            ConnectionManager::new_with_config(client, config),
        )
        .await
        .map_err(|_| anyhow::anyhow!("timed out after 10 s"))
        .and_then(|c| c.map_err(anyhow::Error::from))
        .context("cannot connect to the Redis session store (TWOFA_SESSION_STORE)")?;
        let store = Self {
            conn,
            clock,
            prefix: prefix.into(),
        };
        store.ping().await?;
        Ok(store)
    }

    fn session_key(&self, key_hash: &str) -> String {
        format!("{}session:{key_hash}", self.prefix)
    }

    fn user_key(&self, user_id: i64) -> String {
        format!("{}user-sessions:{user_id}", self.prefix)
    }

    pub async fn ping(&self) -> anyhow::Result<()> {
        let mut conn = self.conn.clone();
        let _: String = redis::cmd("PING").query_async(&mut conn).await?;
        Ok(())
    }

    async fn get(&self, key_hash: &str) -> anyhow::Result<Option<Record>> {
        let mut conn = self.conn.clone();
        let raw: Option<String> = redis::cmd("GET")
            .arg(self.session_key(key_hash))
            .query_async(&mut conn)
            .await?;
        raw.map(|r| serde_json::from_str(&r).context("unreadable session record"))
            .transpose()
    }

    /// Writes the record; `must_exist` makes it an update that never brings back a deleted one.
    async fn put(&self, key_hash: &str, record: &Record, must_exist: bool) -> anyhow::Result<bool> {
        let mut conn = self.conn.clone();
        let now = self.clock.now();
        let mut cmd = redis::cmd("SET");
        cmd.arg(self.session_key(key_hash))
            .arg(serde_json::to_string(record)?)
            .arg(if must_exist { "XX" } else { "NX" })
            .arg("EX")
            .arg((record.ends_at() - now).max(1) + GRACE_SECS);
        let written: Option<String> = cmd.query_async(&mut conn).await?;
        if written.is_none() {
            return Ok(false);
        }
        if let Some(user_id) = record.user_id {
            let index = self.user_key(user_id);
            // Scored by the session's end, so ended sessions leave the index on any later write
            // and it never outgrows the user's live sessions.
            redis::pipe()
                .cmd("ZADD")
                .arg(&index)
                .arg(record.ends_at())
                .arg(key_hash)
                .ignore()
                .cmd("ZREMRANGEBYSCORE")
                .arg(&index)
                .arg("-inf")
                .arg(now)
                .ignore()
                .cmd("EXPIRE")
                .arg(&index)
                .arg(ABSOLUTE_SECS + GRACE_SECS)
                .ignore()
                .query_async::<()>(&mut conn)
                .await?;
        }
        Ok(true)
    }

    /// Stores a new session and returns its key.
    pub async fn create(&self, mut state: State) -> anyhow::Result<String> {
        strip_injected(&mut state);
        let mut conn = self.conn.clone();
        let id: i64 = redis::cmd("INCR")
            .arg(format!("{}session-seq", self.prefix))
            .query_async(&mut conn)
            .await?;
        let now = self.clock.now();
        let record = Record {
            id,
            user_id: json_value(&state, USER_ID),
            state,
            created_at: now,
            last_seen_at: now,
            expires_at: now + ABSOLUTE_SECS,
        };
        let key = random_token();
        anyhow::ensure!(
            self.put(&sha256_hex(&key), &record, false).await?,
            "session key collision"
        );
        Ok(key)
    }

    /// Forgets a session (logout, or a sign-in whose transaction failed).
    pub async fn discard(&self, key: &str) -> anyhow::Result<()> {
        let key_hash = sha256_hex(key);
        let record = self.get(&key_hash).await.ok().flatten();
        let mut conn = self.conn.clone();
        let mut pipe = redis::pipe();
        pipe.cmd("DEL").arg(self.session_key(&key_hash)).ignore();
        if let Some(user_id) = record.and_then(|r| r.user_id) {
            pipe.cmd("ZREM")
                .arg(self.user_key(user_id))
                .arg(&key_hash)
                .ignore();
        }
        pipe.query_async::<()>(&mut conn).await?;
        Ok(())
    }

    /// Replaces the state of a live session; false when it is gone.
    async fn replace_state(&self, key: &str, mut state: State) -> anyhow::Result<bool> {
        strip_injected(&mut state);
        let key_hash = sha256_hex(key);
        let now = self.clock.now();
        let Some(old) = self.get(&key_hash).await?.filter(|r| r.is_live(now)) else {
            return Ok(false);
        };
        let record = Record {
            user_id: json_value(&state, USER_ID),
            state,
            last_seen_at: now,
            ..old
        };
        self.put(&key_hash, &record, true).await
    }

    /// The user's live browser sessions opened under `epoch`, as rows like the database's;
    /// records of ended (older epoch) or expired sessions are dropped on the way. A record of a
    /// newer epoch is a sign-in whose transaction has not committed yet: neither shown nor
    /// touched.
    pub async fn list_for_user(&self, user_id: i64, epoch: i64) -> anyhow::Result<Vec<SessionRow>> {
        let mut conn = self.conn.clone();
        let hashes: Vec<String> = redis::cmd("ZRANGE")
            .arg(self.user_key(user_id))
            .arg(0)
            .arg(-1)
            .query_async(&mut conn)
            .await?;
        if hashes.is_empty() {
            return Ok(Vec::new());
        }
        let keys: Vec<String> = hashes.iter().map(|h| self.session_key(h)).collect();
        let raw: Vec<Option<String>> = redis::cmd("MGET").arg(&keys).query_async(&mut conn).await?;
        let now = self.clock.now();
        let mut rows = Vec::new();
        let mut dead = Vec::new();
        for (hash, raw) in hashes.into_iter().zip(raw) {
            let record = raw.and_then(|r| serde_json::from_str::<Record>(&r).ok());
            match record {
                Some(r) if r.is_live(now) && r.epoch() == epoch && r.user_id == Some(user_id) => {
                    rows.push(SessionRow {
                        id: r.id,
                        key_hash: hash,
                        kind: COOKIE.into(),
                        user_id: r.user_id,
                        ip: json_value(&r.state, IP),
                        user_agent: json_value(&r.state, USER_AGENT),
                        state: String::new(),
                        created_at: r.created_at,
                        last_seen_at: r.last_seen_at,
                        expires_at: r.expires_at,
                    })
                }
                Some(r) if r.is_live(now) && r.epoch() > epoch && r.user_id == Some(user_id) => {}
                _ => dead.push(hash),
            }
        }
        if !dead.is_empty() {
            let mut pipe = redis::pipe();
            for hash in &dead {
                pipe.cmd("DEL").arg(self.session_key(hash)).ignore();
                pipe.cmd("ZREM")
                    .arg(self.user_key(user_id))
                    .arg(hash)
                    .ignore();
            }
            pipe.query_async::<()>(&mut conn).await?;
        }
        rows.sort_by_key(|r| std::cmp::Reverse(r.last_seen_at));
        Ok(rows)
    }
}

impl SessionStore for RedisSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        let key = session_key.as_ref();
        if !is_token_shaped(key) {
            return Ok(None);
        }
        let key_hash = sha256_hex(key);
        let now = self.clock.now();
        let record = self
            .get(&key_hash)
            .await
            .map_err(LoadError::Other)?
            .filter(|r| r.is_live(now));
        let Some(mut record) = record else {
            return Ok(None);
        };
        if now - record.last_seen_at >= TOUCH_EVERY_SECS {
            record.last_seen_at = now;
            self.put(&key_hash, &record, true)
                .await
                .map_err(LoadError::Other)?;
        }
        let mut state = record.state;
        state.insert(REDIS_ID.into(), record.id.to_string());
        Ok(Some(state))
    }

    async fn save(&self, mut state: State, _ttl: &Duration) -> Result<SessionKey, SaveError> {
        let preset = state
            .remove(PRESET_KEY)
            .and_then(|v| serde_json::from_str::<String>(&v).ok());
        let key = match preset {
            // Written complete before the sign-in's transaction: nothing to do after the commit,
            // so a Redis failure now cannot cost a consumed code its session. If it was ended
            // meanwhile, the key simply finds no live session.
            Some(key) => key,
            None => {
                strip_injected(&mut state);
                self.create(state).await.map_err(SaveError::Other)?
            }
        };
        SessionKey::try_from(key).map_err(|e| SaveError::Other(anyhow::anyhow!("{e}")))
    }

    async fn update(
        &self,
        session_key: SessionKey,
        mut state: State,
        _ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        if self
            .replace_state(session_key.as_ref(), state.clone())
            .await
            .map_err(UpdateError::Other)?
        {
            return Ok(session_key);
        }
        state.remove(USER_ID);
        let key = self.create(state).await.map_err(UpdateError::Other)?;
        SessionKey::try_from(key).map_err(|e| UpdateError::Other(anyhow::anyhow!("{e}")))
    }

    async fn update_ttl(&self, _session_key: &SessionKey, _ttl: &Duration) -> anyhow::Result<()> {
        // Liveness is decided from the record's own times in `load`.
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        self.discard(session_key.as_ref()).await
    }
}
