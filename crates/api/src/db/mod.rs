//! Storage: one diesel code path over PostgreSQL and SQLite (`MultiConnection`), r2d2 pools, and
//! every call on a blocking thread. SQLite gets one writer connection so writes queue in the pool
//! instead of spinning in SQLite's busy handler (performance.md G10).
//!
//! Single-row lookups are `get_result` on a unique key, never `first()`: `first()` binds
//! `LIMIT ?`, SQLite marks a bound LIMIT for re-preparation whenever its value changes, and
//! diesel clears the bindings after every use, so each such cached statement was parsed and
//! planned again on every call (a quarter of the server's CPU on a wrong-code challenge,
//! docs/benchmarks.md (4)). `tests/queries.rs` keeps `first()` out of this module.

pub mod audit;
pub mod challenges;
pub mod meta;
pub mod recovery_codes;
pub mod schema;
pub mod sealed;
pub mod sessions;
pub mod skeletons;
pub mod throttles;
pub mod totp;
pub mod user_admin;
pub mod users;

use std::time::Duration;

use anyhow::Context;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::r2d2::{self, ManageConnection};
use diesel::{Connection, PgConnection, SqliteConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::{ApiError, ApiResult};

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("../../migrations/postgres");

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn from_url(url: &str) -> Self {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Opens connections of the backend the URL names (never guesses by trying each).
pub struct Manager {
    url: String,
    backend: Backend,
}

impl ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match self.backend {
            Backend::Postgres => PgConnection::establish(&self.url)
                .map(DbConn::Postgres)
                .map_err(r2d2::Error::ConnectionError),
            Backend::Sqlite => {
                let mut conn =
                    SqliteConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
                // Per-connection pragmas; journal_mode=WAL is persistent and set once at startup.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
                     PRAGMA synchronous = NORMAL;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(conn))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(r2d2::Error::QueryError)
    }

    fn has_broken(&self, conn: &mut DbConn) -> bool {
        <DbConn as Connection>::TransactionManager::is_broken_transaction_manager(conn)
    }
}

type Pool = r2d2::Pool<Manager>;

/// Creates a missing SQLite database file with mode 0600 before SQLite opens it: SQLite gives
/// its `-wal` and `-shm` files the mode of the database file, so all three stay private
/// (SQLite alone would follow the umask, typically 0644). `file:` URIs and `:memory:` are left
/// to SQLite; an existing file keeps the mode its operator gave it.
fn create_private_file(url: &str) -> anyhow::Result<()> {
    if url.starts_with("file:") || url == ":memory:" {
        return Ok(());
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(url) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(e).with_context(|| format!("cannot create the SQLite database {url}")),
    }
}

#[derive(Clone)]
pub struct Db {
    read: Pool,
    write: Pool,
    backend: Backend,
}

impl Db {
    /// Connects, prepares SQLite (WAL) and runs the embedded migrations of the backend.
    pub fn connect(url: &str) -> anyhow::Result<Self> {
        let backend = Backend::from_url(url);
        let manager = || Manager {
            url: url.to_owned(),
            backend,
        };
        let build = |size: u32| {
            r2d2::Pool::builder()
                .max_size(size)
                .connection_timeout(Duration::from_secs(10))
                // A SQLite connection is a local file handle that cannot go stale, so the
                // `SELECT 1` r2d2 runs on every checkout is pure cost (it was re-parsed on every
                // storage hop: docs/benchmarks.md (4)). A PostgreSQL connection can die with its
                // server, and there the check is what keeps a dead one out of use.
                .test_on_check_out(backend == Backend::Postgres)
                .build(manager())
        };
        let (read, write) = match backend {
            Backend::Postgres => {
                let pool = build(10).context("cannot connect to PostgreSQL")?;
                (pool.clone(), pool)
            }
            Backend::Sqlite => {
                create_private_file(url)?;
                let write = build(1).context("cannot open the SQLite database")?;
                {
                    let mut conn = write.get()?;
                    conn.batch_execute("PRAGMA journal_mode = WAL;")?;
                }
                let read = build(4).context("cannot open the SQLite database")?;
                (read, write)
            }
        };
        let db = Db {
            read,
            write,
            backend,
        };
        db.migrate()?;
        Ok(db)
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    fn migrate(&self) -> anyhow::Result<()> {
        let mut conn = self.write.get()?;
        let applied = match &mut *conn {
            DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS),
        }
        .map_err(|e| anyhow::anyhow!("migrations failed: {e}"))?;
        for version in applied {
            tracing::info!(%version, "applied migration");
        }
        let filled = skeletons::backfill(&mut conn, crate::service::accounts::username_skeleton)
            .map_err(|e| anyhow::anyhow!("filling username skeletons failed: {e:?}"))?;
        if filled > 0 {
            tracing::info!(filled, "filled username skeletons");
        }
        Ok(())
    }

    /// Runs `f` on a pooled read connection on a blocking thread.
    pub async fn read<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.read.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(ApiError::internal)?;
            f(&mut conn)
        })
        .await?
    }

    /// Runs `f` in a write transaction (`BEGIN IMMEDIATE` on SQLite) on a blocking thread.
    pub async fn write<T, F>(&self, f: F) -> ApiResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> ApiResult<T> + Send + 'static,
    {
        let pool = self.write.clone();
        actix_web::web::block(move || {
            let mut conn = pool.get().map_err(ApiError::internal)?;
            write_transaction(&mut conn, f)
        })
        .await?
    }

    /// Synchronous write transaction, for CLI commands and startup.
    pub fn write_blocking<T>(&self, f: impl FnOnce(&mut DbConn) -> ApiResult<T>) -> ApiResult<T> {
        let mut conn = self.write.get().map_err(ApiError::internal)?;
        write_transaction(&mut conn, f)
    }
}

/// A transaction that takes SQLite's write lock up front, so a read-then-write inside it cannot
/// race another writer or fail half-way with SQLITE_BUSY on lock upgrade.
pub fn write_transaction<T>(
    conn: &mut DbConn,
    f: impl FnOnce(&mut DbConn) -> ApiResult<T>,
) -> ApiResult<T> {
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE")?,
        DbConn::Postgres(c) => AnsiTransactionManager::begin_transaction(c)?,
    }
    match f(conn) {
        Ok(value) => {
            <DbConn as Connection>::TransactionManager::commit_transaction(conn)?;
            Ok(value)
        }
        Err(err) => {
            if let Err(rollback) =
                <DbConn as Connection>::TransactionManager::rollback_transaction(conn)
            {
                tracing::error!(error = %rollback, "rollback failed");
            }
            Err(err)
        }
    }
}

pub fn is_unique_violation(err: &diesel::result::Error) -> bool {
    matches!(
        err,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}
