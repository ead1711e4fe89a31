//! The database session store: one row of the `sessions` table per browser session, with
//! `user_id` in a column so "end every other session of user X" is one DELETE.

use actix_session::storage::{LoadError, SaveError, SessionKey, SessionStore, UpdateError};
use actix_web::cookie::time::Duration;

use super::{
    json_value, signed_in_state, strip_injected, State, IP, PRESET_KEY, SESSION_ROW_ID,
    TOUCH_EVERY_SECS, USER_AGENT, USER_ID,
};
use crate::clock::SharedClock;
use crate::crypto::{is_token_shaped, random_token, sha256_hex};
use crate::db::{sessions, Db};

#[derive(Clone)]
pub struct DbSessionStore {
    db: Db,
    clock: SharedClock,
}

impl DbSessionStore {
    pub fn new(db: Db, clock: SharedClock) -> Self {
        Self { db, clock }
    }

    async fn insert_new(&self, mut state: State) -> anyhow::Result<SessionKey> {
        strip_injected(&mut state);
        let key = random_token();
        let key_hash = sha256_hex(&key);
        let now = self.clock.now();
        self.db
            .write(move |conn| {
                let json =
                    serde_json::to_string(&state).map_err(crate::error::ApiError::internal)?;
                sessions::insert(
                    conn,
                    &sessions::NewSession {
                        key_hash: &key_hash,
                        kind: sessions::COOKIE,
                        user_id: json_value(&state, USER_ID),
                        state: &json,
                        ip: json_value::<String>(&state, IP).as_deref(),
                        user_agent: json_value::<String>(&state, USER_AGENT).as_deref(),
                        now,
                    },
                )?;
                Ok(())
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        SessionKey::try_from(key).map_err(|e| anyhow::anyhow!("{e}"))
    }
}

impl DbSessionStore {
    /// Saves the state into the row `preset` wrote. If that row is gone (the user's sessions
    /// were ended meanwhile), the login is not resurrected: a fresh anonymous session instead.
    async fn adopt(&self, key: String, mut state: State) -> anyhow::Result<SessionKey> {
        strip_injected(&mut state);
        let key_hash = sha256_hex(&key);
        let now = self.clock.now();
        let json = serde_json::to_string(&state)?;
        let user_id: Option<i64> = json_value(&state, USER_ID);
        let adopted = self
            .db
            .write(move |conn| {
                Ok(sessions::update_state(
                    conn, &key_hash, &json, user_id, now,
                )?)
            })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        if adopted {
            return SessionKey::try_from(key).map_err(|e| anyhow::anyhow!("{e}"));
        }
        state.remove(USER_ID);
        self.insert_new(state).await
    }
}

/// Writes a signed-in browser session row inside the caller's transaction (the one that
/// consumes the second factor) and returns its key, for the handler to hand to `save` under
/// `PRESET_KEY`.
pub fn preset(
    conn: &mut crate::db::DbConn,
    user_id: i64,
    epoch: i64,
    client: &crate::auth::ClientInfo,
    now: i64,
) -> crate::error::ApiResult<String> {
    let state = signed_in_state(user_id, epoch, client);
    let json = serde_json::to_string(&state).map_err(crate::error::ApiError::internal)?;
    let key = random_token();
    sessions::insert(
        conn,
        &sessions::NewSession {
            key_hash: &sha256_hex(&key),
            kind: sessions::COOKIE,
            user_id: Some(user_id),
            state: &json,
            ip: client.ip.as_deref(),
            user_agent: client.user_agent.as_deref(),
            now,
        },
    )?;
    Ok(key)
}

impl SessionStore for DbSessionStore {
    async fn load(&self, session_key: &SessionKey) -> Result<Option<State>, LoadError> {
        let key = session_key.as_ref();
        if !is_token_shaped(key) {
            return Ok(None);
        }
        let key_hash = sha256_hex(key);
        let now = self.clock.now();
        let row = self
            .db
            .read(move |conn| Ok(sessions::find_live(conn, &key_hash, sessions::COOKIE, now)?))
            .await
            .map_err(|e| LoadError::Other(anyhow::anyhow!("{e}")))?;
        let Some(row) = row else { return Ok(None) };
        if now - row.last_seen_at >= TOUCH_EVERY_SECS {
            let id = row.id;
            self.db
                .write(move |conn| Ok(sessions::touch(conn, id, now)?))
                .await
                .map_err(|e| LoadError::Other(anyhow::anyhow!("{e}")))?;
        }
        let mut state: State = serde_json::from_str(&row.state)
            .map_err(|e| LoadError::Deserialization(anyhow::anyhow!(e)))?;
        state.insert(SESSION_ROW_ID.into(), row.id.to_string());
        Ok(Some(state))
    }

    async fn save(&self, mut state: State, _ttl: &Duration) -> Result<SessionKey, SaveError> {
        let preset = state
            .remove(PRESET_KEY)
            .and_then(|v| serde_json::from_str::<String>(&v).ok());
        match preset {
            Some(key) => self.adopt(key, state).await.map_err(SaveError::Other),
            None => self.insert_new(state).await.map_err(SaveError::Other),
        }
    }

    async fn update(
        &self,
        session_key: SessionKey,
        mut state: State,
        _ttl: &Duration,
    ) -> Result<SessionKey, UpdateError> {
        strip_injected(&mut state);
        let key_hash = sha256_hex(session_key.as_ref());
        let now = self.clock.now();
        let json =
            serde_json::to_string(&state).map_err(|e| UpdateError::Serialization(e.into()))?;
        let user_id: Option<i64> = json_value(&state, USER_ID);
        let updated = self
            .db
            .write(move |conn| {
                Ok(sessions::update_state(
                    conn, &key_hash, &json, user_id, now,
                )?)
            })
            .await
            .map_err(|e| UpdateError::Other(anyhow::anyhow!("{e}")))?;
        if updated {
            return Ok(session_key);
        }
        // Revoked while this request ran: never resurrect its login, keep only the rest.
        state.remove(USER_ID);
        self.insert_new(state).await.map_err(UpdateError::Other)
    }

    async fn update_ttl(&self, _session_key: &SessionKey, _ttl: &Duration) -> anyhow::Result<()> {
        // Expiry is enforced from `last_seen_at` in `load`; nothing to extend here.
        Ok(())
    }

    async fn delete(&self, session_key: &SessionKey) -> anyhow::Result<()> {
        let key_hash = sha256_hex(session_key.as_ref());
        self.db
            .write(move |conn| Ok(sessions::delete_by_hash(conn, &key_hash)?))
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(())
    }
}
