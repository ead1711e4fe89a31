//! Security events: stored with time, user, IP, user agent, outcome and reason, and mirrored as
//! a log line. Callers pass event names only — never a code, secret, password or token.

use crate::auth::ClientInfo;
use crate::db::audit::{self, NewEvent};
use crate::db::DbConn;
use crate::state::AppState;

pub const SUCCESS: &str = "success";
pub const FAILURE: &str = "failure";

/// One event, built when it happens, stored by `store` (in a transaction of the caller's or of
/// its own in `record`) and announced (log line and metric) once stored.
#[derive(Clone)]
pub struct Event {
    at: i64,
    user_id: Option<i64>,
    ip: Option<String>,
    user_agent: Option<String>,
    event: &'static str,
    outcome: &'static str,
    reason: Option<&'static str>,
}

impl Event {
    pub fn new(
        state: &AppState,
        client: &ClientInfo,
        user_id: Option<i64>,
        event: &'static str,
        outcome: &'static str,
        reason: Option<&'static str>,
    ) -> Event {
        Event {
            at: state.now(),
            user_id,
            ip: client.ip.clone(),
            user_agent: client.user_agent.clone(),
            event,
            outcome,
            reason,
        }
    }

    pub fn announce(&self) {
        let Event {
            event,
            outcome,
            reason,
            user_id,
            ..
        } = *self;
        crate::metrics::audit_event(event, outcome, reason);
        let ip = self.ip.as_deref();
        tracing::info!(target: "audit", event, outcome, reason, user_id, ip, "audit");
    }
}

pub fn store(conn: &mut DbConn, e: &Event) -> diesel::QueryResult<()> {
    audit::insert(
        conn,
        &NewEvent {
            at: e.at,
            user_id: e.user_id,
            ip: e.ip.as_deref(),
            user_agent: e.user_agent.as_deref(),
            event: e.event,
            outcome: e.outcome,
            reason: e.reason,
        },
    )
}

/// Stores and announces one event in a transaction of its own; a storage failure is logged,
/// never turned into the request's error.
pub async fn record(
    state: &AppState,
    client: &ClientInfo,
    user_id: Option<i64>,
    event: &'static str,
    outcome: &'static str,
    reason: Option<&'static str>,
) {
    let e = Event::new(state, client, user_id, event, outcome, reason);
    e.announce();
    let row = e.clone();
    let result = state.db.write(move |conn| Ok(store(conn, &row)?)).await;
    if let Err(err) = result {
        tracing::error!(error = %err, event, "could not store an audit event");
    }
}
