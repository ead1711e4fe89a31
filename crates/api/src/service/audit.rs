//! Security events: stored with time, user, IP, user agent, outcome and reason, and mirrored as
//! a log line. Callers pass event names only — never a code, secret, password or token.

use crate::auth::ClientInfo;
use crate::db::audit::{self, NewEvent};
use crate::state::AppState;

pub const SUCCESS: &str = "success";
pub const FAILURE: &str = "failure";

pub async fn record(
    state: &AppState,
    client: &ClientInfo,
    user_id: Option<i64>,
    event: &'static str,
    outcome: &'static str,
    reason: Option<&'static str>,
) {
    let at = state.now();
    crate::metrics::audit_event(event, outcome, reason);
    let ip = client.ip.clone();
    let user_agent = client.user_agent.clone();
    tracing::info!(target: "audit", event, outcome, reason, user_id, ip = ip.as_deref(), "audit");
    let result = state
        .db
        .write(move |conn| {
            audit::insert(
                conn,
                &NewEvent {
                    at,
                    user_id,
                    ip: ip.as_deref(),
                    user_agent: user_agent.as_deref(),
                    event,
                    outcome,
                    reason,
                },
            )?;
            Ok(())
        })
        .await;
    if let Err(err) = result {
        tracing::error!(error = %err, event, "could not store an audit event");
    }
}
