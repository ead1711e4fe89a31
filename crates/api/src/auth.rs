//! Who is calling: `CurrentUser` (bearer token, else the cookie session) and `ClientInfo`.

use std::future::{ready, Future, Ready};
use std::net::IpAddr;
use std::pin::Pin;

use actix_session::{Session, SessionExt};
use actix_web::http::header;
use actix_web::{dev::Payload, web, FromRequest, HttpRequest};

use crate::crypto::{is_token_shaped, sha256_hex};
use crate::db::{sessions, users, users::UserRow};
use crate::error::ApiError;
use crate::session_store::{EPOCH, REDIS_ID, SESSION_ROW_ID, USER_ID};
use crate::state::AppState;

/// How the current request is authenticated.
pub enum AuthVia {
    Cookie {
        session: Session,
        /// Its row in the database store.
        row_id: Option<i64>,
        /// Its id in the Redis store.
        redis_id: Option<i64>,
    },
    Bearer {
        row_id: i64,
    },
}

/// A fully authenticated user (password and, when enabled, second factor).
pub struct CurrentUser {
    pub user: UserRow,
    pub via: AuthVia,
}

impl CurrentUser {
    /// The sessions table row of this request, to keep when ending the user's other sessions.
    pub fn session_row_id(&self) -> Option<i64> {
        match &self.via {
            AuthVia::Cookie { row_id, .. } => *row_id,
            AuthVia::Bearer { row_id } => Some(*row_id),
        }
    }

    /// Whether a listed session (kind and id, from either store) is this request's.
    pub fn is_session(&self, kind: &str, id: i64) -> bool {
        match &self.via {
            AuthVia::Cookie {
                row_id, redis_id, ..
            } => kind == sessions::COOKIE && (*row_id == Some(id) || *redis_id == Some(id)),
            AuthVia::Bearer { row_id } => kind == sessions::BEARER && *row_id == id,
        }
    }

    /// After this request ended the user's sessions (raising the epoch to `epoch`), keeps its
    /// own browser session alive.
    pub fn keep_session(&self, epoch: i64) -> Result<(), ApiError> {
        if let AuthVia::Cookie { session, .. } = &self.via {
            session
                .insert(EPOCH, epoch)
                .map_err(|e| ApiError::internal(anyhow::anyhow!("session: {e}")))?;
        }
        Ok(())
    }
}

/// Re-check the session in the database only this often (idle timeout is 30 minutes).
const TOUCH_EVERY_SECS: i64 = 60;

impl FromRequest for CurrentUser {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let state = req
                .app_data::<web::Data<AppState>>()
                .cloned()
                .ok_or_else(|| ApiError::internal(anyhow::anyhow!("AppState missing")))?;
            // A bearer request ignores cookies entirely.
            if let Some(value) = req.headers().get(header::AUTHORIZATION) {
                let token = value
                    .to_str()
                    .ok()
                    .and_then(bearer_token)
                    .filter(|t| is_token_shaped(t))
                    .ok_or(ApiError::Unauthenticated)?;
                let current = bearer_user(&state, sha256_hex(token)).await?;
                crate::service::policy::check(&state, req.path(), &current.user).await?;
                return Ok(current);
            }
            let session = req.get_session();
            let user_id = session
                .get::<i64>(USER_ID)
                .map_err(|_| ApiError::Unauthenticated)?
                .ok_or(ApiError::Unauthenticated)?;
            let row_id = session.get::<i64>(SESSION_ROW_ID).ok().flatten();
            let redis_id = session.get::<i64>(REDIS_ID).ok().flatten();
            // Sessions from before epochs existed carry none: they belong to epoch 0.
            let epoch = session.get::<i64>(EPOCH).ok().flatten().unwrap_or(0);
            let user = state
                .db
                .read(move |conn| Ok(users::find(conn, user_id)?))
                .await?
                .ok_or(ApiError::Unauthenticated)?;
            if epoch != user.session_epoch {
                // Ended by a change elsewhere (2FA, recovery-code login, admin, "sign out
                // everywhere"). Not purged here: the request that raised the epoch may be
                // about to keep this very session under the new one.
                return Err(ApiError::Unauthenticated);
            }
            crate::service::policy::check(&state, req.path(), &user).await?;
            Ok(CurrentUser {
                user,
                via: AuthVia::Cookie {
                    session,
                    row_id,
                    redis_id,
                },
            })
        })
    }
}

async fn bearer_user(state: &AppState, key_hash: String) -> Result<CurrentUser, ApiError> {
    let now = state.now();
    let found = state
        .db
        .read(move |conn| {
            let Some(row) = sessions::find_live(conn, &key_hash, sessions::BEARER, now)? else {
                return Ok(None);
            };
            let Some(user_id) = row.user_id else {
                return Ok(None);
            };
            Ok(users::find(conn, user_id)?.map(|user| (row, user)))
        })
        .await?;
    let (row, user) = found.ok_or(ApiError::Unauthenticated)?;
    if now - row.last_seen_at >= TOUCH_EVERY_SECS {
        let id = row.id;
        state
            .db
            .write(move |conn| Ok(sessions::touch(conn, id, now)?))
            .await?;
    }
    Ok(CurrentUser {
        user,
        via: AuthVia::Bearer { row_id: row.id },
    })
}

/// Client address (the TCP peer; proxy headers are not trusted) and a bounded User-Agent.
#[derive(Clone, Debug, Default)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    pub fn ip_key(&self) -> &str {
        self.ip.as_deref().unwrap_or("unknown")
    }
}

impl ClientInfo {
    pub fn of(req: &HttpRequest) -> Self {
        let trusted = req
            .app_data::<web::Data<AppState>>()
            .map(|state| state.trusted_proxies.as_slice())
            .unwrap_or_default();
        let ip = client_ip(req, trusted).map(|ip| ip.to_string());
        let user_agent = req
            .headers()
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().filter(|c| !c.is_control()).take(256).collect());
        ClientInfo { ip, user_agent }
    }
}

/// The TCP peer, unless it is a trusted proxy: then the nearest untrusted address in
/// `X-Forwarded-For` (right to left), so a client cannot pick its own address by prepending.
fn client_ip(req: &HttpRequest, trusted: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let hops: Vec<IpAddr> = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !trusted.contains(ip))
        .or(hops.first())
        .copied()
        .or(Some(peer))
}

impl FromRequest for ClientInfo {
    type Error = ApiError;
    type Future = Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(ClientInfo::of(req)))
    }
}

/// The token of an `Authorization: Bearer <token>` value; the scheme is case-insensitive
/// (RFC 9110 §11.1).
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_counts_only_behind_a_trusted_proxy() {
        let proxy = [ip("10.0.0.1")];
        let direct = TestRequest::default()
            .peer_addr("198.51.100.9:5000".parse().unwrap())
            .insert_header(("X-Forwarded-For", "203.0.113.7"))
            .to_http_request();
        assert_eq!(client_ip(&direct, &proxy), Some(ip("198.51.100.9")));

        let proxied = TestRequest::default()
            .peer_addr("10.0.0.1:5000".parse().unwrap())
            .insert_header(("X-Forwarded-For", "1.2.3.4, 203.0.113.7"))
            .to_http_request();
        // The client prepended 1.2.3.4 itself; the proxy appended the real address.
        assert_eq!(client_ip(&proxied, &proxy), Some(ip("203.0.113.7")));
    }
}
