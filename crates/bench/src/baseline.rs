//! Baseline servers, built only into this harness (never into the product): a bare actix-web
//! JSON endpoint, and bare actix-web endpoints that do the same reads and writes as a wrong-code
//! `/api/login/challenge` on the project's schema, on SQLite (one shared writer connection
//! behind a mutex, performance.md `verify_db_mutex`) and on PostgreSQL (diesel + r2d2 on the
//! blocking pool). Same route, same request and same error body as the real server.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use actix_web::{web, App, HttpResponse, HttpServer};
use anyhow::Context;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::r2d2::{ConnectionManager, CustomizeConnection, Pool};
use diesel::sql_types::{BigInt, Binary, Nullable, Text};
use diesel::{PgConnection, SqliteConnection};
use serde::Deserialize;
use serde_json::json;
use sha2::{Digest, Sha256};
use twofa_core::{SecretBox, TimeStep, TotpCode, UnixTime};

use crate::baseline_split::{attempt_pg_split, attempt_sqlite_split, PgPool, SqlitePool};

/// Env var carrying the hex key the baseline database's secrets were sealed with.
pub const KEY_ENV: &str = "TWOFA_BENCH_BASELINE_KEY";

/// Env var: filler bytes added to the malformed-code answer, so the bare endpoint's response is
/// as long as twofa's (performance.md G8: "same extractor, same response size").
pub const PAD_ENV: &str = "TWOFA_BENCH_PAD_BYTES";

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Kind {
    Json,
    Sqlite,
    Pg,
    /// Diagnostics: the same statements cut into the server's transactions and hops.
    SqliteSplit,
    PgSplit,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Answer {
    challenge_id: String,
    code: Option<String>,
    #[allow(dead_code)]
    token: Option<bool>,
}

fn error(status: actix_web::http::StatusCode, code: &str, message: &str) -> HttpResponse {
    HttpResponse::build(status).json(json!({"error": {"code": code, "message": message}}))
}

fn bad_format(pad: &str) -> HttpResponse {
    let mut body =
        json!({"error": {"code": "invalid_code_format", "message": "A code is exactly 6 digits."}});
    if !pad.is_empty() {
        body["pad"] = pad.into();
    }
    HttpResponse::BadRequest().json(body)
}

fn respond(verdict: Result<Verdict, String>) -> HttpResponse {
    use actix_web::http::StatusCode;
    match verdict {
        Ok(Verdict::Accepted) => HttpResponse::Ok().json(json!({"status": "authenticated"})),
        Ok(Verdict::InvalidCode) => error(
            StatusCode::UNAUTHORIZED,
            "invalid_code",
            "That code is not valid.",
        ),
        Ok(Verdict::ChallengeInvalid) => error(
            StatusCode::UNAUTHORIZED,
            "challenge_invalid",
            "This sign-in attempt has expired. Start again.",
        ),
        Err(e) => {
            eprintln!("baseline error: {e}");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "internal error",
            )
        }
    }
}

pub(crate) enum Verdict {
    Accepted,
    InvalidCode,
    ChallengeInvalid,
}

#[derive(QueryableByName)]
pub(crate) struct ChallengeRow {
    #[diesel(sql_type = BigInt)]
    pub id: i64,
    #[diesel(sql_type = BigInt)]
    pub user_id: i64,
}

#[derive(QueryableByName)]
pub(crate) struct UserRow {
    #[diesel(sql_type = BigInt)]
    #[allow(dead_code)]
    pub id: i64,
}

#[derive(QueryableByName)]
pub(crate) struct TotpRow {
    #[diesel(sql_type = Binary)]
    pub secret_ct: Vec<u8>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub last_used_step: Option<i64>,
}

/// The statements of one attempt, with `?` placeholders (rewritten to `$n` for PostgreSQL).
pub(crate) struct Sql {
    pub find: String,
    pub user: String,
    pub throttle: String,
    pub throttle_touch: String,
    pub charge: String,
    pub totp: String,
    pub audit: String,
    pub claim: String,
    pub consume: String,
}

impl Sql {
    fn new(pg: bool) -> Sql {
        let p = |s: &str| if pg { numbered(s) } else { s.to_owned() };
        Sql {
            find: p("SELECT id, user_id FROM challenges WHERE id_hash = ?"),
            user: p("SELECT id FROM users WHERE id = ?"),
            throttle: p("INSERT INTO throttles (key, count, window_start) VALUES (?, 1, ?) \
                         ON CONFLICT (key) DO UPDATE SET count = throttles.count + 1"),
            throttle_touch: p("UPDATE throttles SET locked_until = locked_until WHERE key = ? \
                               AND count >= 1000000000"),
            charge: p("UPDATE challenges SET attempts = attempts + 1 WHERE id = ? AND attempts < 5 \
                       AND consumed_at IS NULL AND expires_at > ?"),
            totp: p("SELECT secret_ct, last_used_step FROM totp_credentials \
                     WHERE user_id = ? AND state = 'active'"),
            audit: p("INSERT INTO audit_events (at, user_id, ip, user_agent, event, outcome, reason) \
                      VALUES (?, ?, '127.0.0.1', NULL, '2fa.challenge.failure', 'failure', 'invalid_code')"),
            claim: p("UPDATE totp_credentials SET last_used_step = ? WHERE user_id = ? \
                      AND (last_used_step IS NULL OR last_used_step < ?)"),
            consume: p("UPDATE challenges SET consumed_at = ? WHERE id = ? AND consumed_at IS NULL"),
        }
    }
}

fn numbered(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut n = 0;
    for ch in sql.chars() {
        if ch == '?' {
            n += 1;
            out.push_str(&format!("${n}"));
        } else {
            out.push(ch);
        }
    }
    out
}

fn now() -> i64 {
    i64::try_from(crate::flows::unix_now()).unwrap_or(0)
}

/// One attempt inside the caller's transaction; the same body for both connection types.
macro_rules! attempt_fn {
    ($name:ident, $conn:ty) => {
        fn $name(
            c: &mut $conn,
            sql: &Sql,
            sealing: &SecretBox,
            id_hash: &str,
            code: &TotpCode,
            now: i64,
        ) -> diesel::QueryResult<Verdict> {
            let Some(ch) = diesel::sql_query(sql.find.as_str())
                .bind::<Text, _>(id_hash)
                .get_result::<ChallengeRow>(c)
                .optional()?
            else {
                return Ok(Verdict::ChallengeInvalid);
            };
            let charged = diesel::sql_query(sql.charge.as_str())
                .bind::<BigInt, _>(ch.id)
                .bind::<BigInt, _>(now)
                .execute(c)?;
            if charged != 1 {
                return Ok(Verdict::ChallengeInvalid);
            }
            let _user: UserRow = diesel::sql_query(sql.user.as_str())
                .bind::<BigInt, _>(ch.user_id)
                .get_result(c)?;
            for key in [
                format!("account:{}", ch.user_id),
                "ip2fa:127.0.0.1".to_owned(),
            ] {
                diesel::sql_query(sql.throttle.as_str())
                    .bind::<Text, _>(key)
                    .bind::<BigInt, _>(now)
                    .execute(c)?;
            }
            let row: TotpRow = diesel::sql_query(sql.totp.as_str())
                .bind::<BigInt, _>(ch.user_id)
                .get_result(c)?;
            let secret = sealing
                .open(ch.user_id, &row.secret_ct)
                .map_err(|e| diesel::result::Error::QueryBuilderError(e.to_string().into()))?;
            let last = row
                .last_used_step
                .and_then(|s| u64::try_from(s).ok())
                .map(TimeStep);
            let when = UnixTime(u64::try_from(now).unwrap_or(0));
            match twofa_core::verify(&secret, code, when, last, 1) {
                Ok(m) => {
                    let step = i64::try_from(m.step.0).unwrap_or(i64::MAX);
                    let claimed = diesel::sql_query(sql.claim.as_str())
                        .bind::<BigInt, _>(step)
                        .bind::<BigInt, _>(ch.user_id)
                        .bind::<BigInt, _>(step)
                        .execute(c)?;
                    let consumed = diesel::sql_query(sql.consume.as_str())
                        .bind::<BigInt, _>(now)
                        .bind::<BigInt, _>(ch.id)
                        .execute(c)?;
                    Ok(if claimed == 1 && consumed == 1 {
                        Verdict::Accepted
                    } else {
                        Verdict::InvalidCode
                    })
                }
                Err(_) => {
                    diesel::sql_query(sql.audit.as_str())
                        .bind::<BigInt, _>(now)
                        .bind::<BigInt, _>(ch.user_id)
                        .execute(c)?;
                    Ok(Verdict::InvalidCode)
                }
            }
        }
    };
}

attempt_fn!(attempt_sqlite, SqliteConnection);
attempt_fn!(attempt_pg, PgConnection);

pub(crate) struct Shared {
    pub sql: Sql,
    pub sealing: SecretBox,
}

enum Store {
    None,
    Sqlite(Mutex<SqliteConnection>),
    Pg(Pool<ConnectionManager<PgConnection>>),
    SqliteSplit { read: SqlitePool, write: SqlitePool },
    PgSplit(PgPool),
}

/// The real server's per-connection SQLite settings.
const SQLITE_PRAGMAS: &str =
    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";

#[derive(Debug)]
struct Pragmas;

impl CustomizeConnection<SqliteConnection, diesel::r2d2::Error> for Pragmas {
    fn on_acquire(&self, c: &mut SqliteConnection) -> Result<(), diesel::r2d2::Error> {
        c.batch_execute(SQLITE_PRAGMAS)
            .map_err(diesel::r2d2::Error::QueryError)
    }
}

fn sqlite_pool(path: &str, size: u32) -> anyhow::Result<SqlitePool> {
    Ok(Pool::builder()
        .max_size(size)
        .connection_customizer(Box::new(Pragmas))
        .build(ConnectionManager::new(path))?)
}

struct State {
    shared: Arc<Shared>,
    store: Store,
    pad: String,
}

fn id_hash(id: &str) -> String {
    hex::encode(Sha256::digest(id.as_bytes()))
}

async fn challenge(state: web::Data<State>, body: web::Json<Answer>) -> HttpResponse {
    let Some(code) = body.code.as_deref().and_then(|c| TotpCode::parse(c).ok()) else {
        return bad_format(&state.pad);
    };
    let hash = id_hash(&body.challenge_id);
    let now = now();
    match &state.store {
        Store::None => respond(Ok(Verdict::InvalidCode)),
        Store::Sqlite(conn) => {
            let shared = &state.shared;
            let mut c = conn.lock().unwrap_or_else(PoisonError::into_inner);
            respond(
                c.immediate_transaction(|c| {
                    attempt_sqlite(c, &shared.sql, &shared.sealing, &hash, &code, now)
                })
                .map_err(|e| e.to_string()),
            )
        }
        Store::Pg(pool) => {
            let pool = pool.clone();
            let shared = state.shared.clone();
            let result = web::block(move || {
                let mut c = pool.get().map_err(|e| e.to_string())?;
                c.transaction(|c| attempt_pg(c, &shared.sql, &shared.sealing, &hash, &code, now))
                    .map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r);
            respond(result)
        }
        Store::SqliteSplit { read, write } => {
            respond(attempt_sqlite_split(read, write, &state.shared, hash, code, now).await)
        }
        Store::PgSplit(pool) => {
            respond(attempt_pg_split(pool, pool, &state.shared, hash, code, now).await)
        }
    }
}

fn sealing_from_env() -> anyhow::Result<SecretBox> {
    let hex_key = std::env::var(KEY_ENV).with_context(|| format!("{KEY_ENV} is not set"))?;
    let key: [u8; 32] = hex::decode(hex_key.trim())?
        .try_into()
        .map_err(|_| anyhow::anyhow!("{KEY_ENV} must be 32 bytes of hex"))?;
    Ok(SecretBox::new(key))
}

/// Runs one baseline server on 127.0.0.1 (random port) until SIGTERM.
pub fn serve(kind: Kind, db: Option<String>) -> anyhow::Result<()> {
    let pg = matches!(kind, Kind::Pg | Kind::PgSplit);
    let sealing = match kind {
        Kind::Json => SecretBox::new([0; 32]),
        _ => sealing_from_env()?,
    };
    let shared = Arc::new(Shared {
        sql: Sql::new(pg),
        sealing,
    });
    let store = match kind {
        Kind::Json => Store::None,
        Kind::Sqlite => {
            let path = db.context("--db is required")?;
            let mut c = SqliteConnection::establish(&path)?;
            // The same connection settings as the real server's writer.
            c.batch_execute(SQLITE_PRAGMAS)?;
            c.batch_execute("PRAGMA journal_mode = WAL;")?;
            Store::Sqlite(Mutex::new(c))
        }
        Kind::SqliteSplit => {
            let path = db.context("--db is required")?;
            Store::SqliteSplit {
                read: sqlite_pool(&path, 4)?,
                write: sqlite_pool(&path, 1)?,
            }
        }
        Kind::PgSplit => {
            let url = db.context("--db is required")?;
            Store::PgSplit(
                Pool::builder()
                    .max_size(10)
                    .build(ConnectionManager::new(url))?,
            )
        }
        Kind::Pg => {
            let url = db.context("--db is required")?;
            Store::Pg(
                Pool::builder()
                    .max_size(10)
                    .build(ConnectionManager::new(url))?,
            )
        }
    };
    let pad_bytes = match std::env::var(PAD_ENV) {
        Ok(n) => n.trim().parse::<usize>().context(PAD_ENV)?,
        Err(_) => 0,
    };
    let state = web::Data::new(State {
        shared,
        store,
        pad: "x".repeat(pad_bytes),
    });
    actix_web::rt::System::new().block_on(async move {
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .route("/api/login/challenge", web::post().to(challenge))
        })
        .bind(("127.0.0.1", 0))?;
        let addr = server.addrs()[0];
        let mut out = std::io::stdout().lock();
        writeln!(out, "baseline {kind:?} listening on http://{addr}")?;
        out.flush()?;
        drop(out);
        server.run().await?;
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_for_postgres() {
        assert_eq!(numbered("a = ? AND b < ?"), "a = $1 AND b < $2");
    }

    #[test]
    fn challenge_ids_hash_like_the_server() {
        // SHA-256 of "abc" (FIPS 180-2), the same function the server stores.
        assert_eq!(
            id_hash("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
