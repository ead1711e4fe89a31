//! A serving instance keeps a heartbeat row in `meta`, so that a command that must not run beside
//! a server (`twofa keys rotate`) can tell one is running — on SQLite and on a PostgreSQL shared
//! by several instances alike. A row older than `FRESH_SECS` is an instance that died without
//! saying goodbye.

use std::time::Duration;

use rand::RngCore;

use crate::clock::{Clock, SystemClock};
use crate::db::{meta, Db};
use crate::error::ApiResult;

const PREFIX: &str = "instance:";
const BEAT: Duration = Duration::from_secs(10);
/// Three missed beats.
pub const FRESH_SECS: i64 = 30;

/// The system clock, never the test clock: heartbeats are compared between processes.
fn unix_now() -> i64 {
    SystemClock.now()
}

pub struct Heartbeat {
    key: String,
}

impl Default for Heartbeat {
    fn default() -> Heartbeat {
        Heartbeat::new()
    }
}

impl Heartbeat {
    pub fn new() -> Heartbeat {
        let mut id = [0u8; 8];
        rand::rng().fill_bytes(&mut id);
        Heartbeat {
            key: format!("{PREFIX}{}", hex::encode(id)),
        }
    }

    /// One beat; the server beats once before it serves, so a command run after the server
    /// announced itself always sees it.
    pub async fn beat(&self, db: &Db) -> ApiResult<()> {
        let key = self.key.clone();
        db.write(move |conn| Ok(meta::set(conn, &key, unix_now().to_string().as_bytes())?))
            .await
    }

    /// Beats until the task is aborted.
    pub async fn run(&self, db: Db) {
        let mut tick = tokio::time::interval(BEAT);
        loop {
            tick.tick().await;
            if let Err(err) = self.beat(&db).await {
                tracing::warn!(error = %err, "could not write the instance heartbeat");
            }
        }
    }

    /// After a graceful stop: this instance no longer holds commands back.
    pub async fn end(&self, db: &Db) -> ApiResult<()> {
        let key = self.key.clone();
        db.write(move |conn| Ok(meta::delete(conn, &key)?)).await
    }
}

/// Instances whose heartbeat is fresh: (seconds since their last beat).
pub fn running(db: &Db) -> ApiResult<Vec<i64>> {
    let now = unix_now();
    let beats = db.write_blocking(|conn| Ok(meta::with_prefix(conn, PREFIX)?))?;
    Ok(beats
        .into_iter()
        .filter_map(|(_, value)| std::str::from_utf8(&value).ok()?.parse::<i64>().ok())
        .map(|at| now - at)
        .filter(|age| *age < FRESH_SECS)
        .collect())
}
