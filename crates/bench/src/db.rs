//! Direct database access for set-up only: fresh PostgreSQL databases, the project's migrations
//! for the baseline databases, bulk rows (challenges, users, audit events) matching the schema
//! in migrations/sqlite and migrations/postgres. All SQL text here is built from numbers and hex
//! this harness generated, never from outside input.

use std::path::Path;
use std::time::Instant;

use anyhow::{ensure, Context};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel::{PgConnection, SqliteConnection};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub enum Db {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

#[derive(QueryableByName)]
struct TextRow {
    #[diesel(sql_type = Text)]
    value: String,
}

/// Only databases with this prefix are ever created or dropped by the harness.
pub const PG_PREFIX: &str = "twofa_bench_";

impl Db {
    pub fn open(url: &str) -> anyhow::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Db::Pg(
                PgConnection::establish(url).with_context(|| format!("connect {url}"))?,
            ))
        } else {
            let mut c = SqliteConnection::establish(url).with_context(|| format!("open {url}"))?;
            // The server may hold the write lock for a moment; wait instead of failing.
            c.batch_execute("PRAGMA busy_timeout = 60000;")?;
            Ok(Db::Sqlite(c))
        }
    }

    pub fn is_pg(&self) -> bool {
        matches!(self, Db::Pg(_))
    }

    pub fn exec(&mut self, sql: &str) -> anyhow::Result<()> {
        match self {
            Db::Sqlite(c) => c.batch_execute(sql)?,
            Db::Pg(c) => c.batch_execute(sql)?,
        }
        Ok(())
    }

    fn ids(&mut self, sql: &str) -> anyhow::Result<Vec<i64>> {
        let rows: Vec<IdRow> = match self {
            Db::Sqlite(c) => diesel::sql_query(sql).load(c)?,
            Db::Pg(c) => diesel::sql_query(sql).load(c)?,
        };
        Ok(rows.into_iter().map(|r| r.id).collect())
    }

    fn texts(&mut self, sql: &str) -> anyhow::Result<Vec<String>> {
        let rows: Vec<TextRow> = match self {
            Db::Sqlite(c) => diesel::sql_query(sql).load(c)?,
            Db::Pg(c) => diesel::sql_query(sql).load(c)?,
        };
        Ok(rows.into_iter().map(|r| r.value).collect())
    }

    fn blob(&self, bytes: &[u8]) -> String {
        match self {
            Db::Sqlite(_) => format!("X'{}'", hex::encode(bytes)),
            Db::Pg(_) => format!("'\\x{}'::bytea", hex::encode(bytes)),
        }
    }

    /// Applies every `up.sql` of the backend's migrations directory, in order.
    pub fn apply_migrations(&mut self, repo: &Path) -> anyhow::Result<()> {
        let dir = repo
            .join("migrations")
            .join(if self.is_pg() { "postgres" } else { "sqlite" });
        let mut versions: Vec<_> = std::fs::read_dir(&dir)
            .with_context(|| format!("read {}", dir.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("up.sql").exists())
            .collect();
        versions.sort();
        ensure!(
            !versions.is_empty(),
            "no migrations under {}",
            dir.display()
        );
        if let Db::Sqlite(_) = self {
            self.exec("PRAGMA journal_mode = WAL;")?;
        }
        for v in versions {
            self.exec(&std::fs::read_to_string(v.join("up.sql"))?)?;
        }
        Ok(())
    }

    pub fn user_id(&mut self, username: &str) -> anyhow::Result<i64> {
        let sql = format!(
            "SELECT id FROM users WHERE username = '{}'",
            sql_str(username)
        );
        self.ids(&sql)?
            .first()
            .copied()
            .with_context(|| format!("no user {username}"))
    }

    pub fn password_hash(&mut self, user_id: i64) -> anyhow::Result<String> {
        let sql = format!("SELECT password_hash AS value FROM users WHERE id = {user_id}");
        self.texts(&sql)?
            .into_iter()
            .next()
            .context("no password hash")
    }

    pub fn count(&mut self, table: &str) -> anyhow::Result<i64> {
        let sql = format!("SELECT COUNT(*) AS id FROM {table}");
        Ok(self.ids(&sql)?.first().copied().unwrap_or(0))
    }

    /// Inserts `per_user` open challenges for each user (no browser binding, as for a client
    /// that asked for a bearer token) and returns their plain ids. The server stores only
    /// SHA-256 of an id, so these are indistinguishable from ones `/api/login` issued.
    pub fn insert_challenges(
        &mut self,
        user_ids: &[i64],
        per_user: usize,
        now: i64,
    ) -> anyhow::Result<Vec<String>> {
        let mut ids = Vec::with_capacity(user_ids.len() * per_user);
        let mut values = Vec::with_capacity(ids.capacity());
        let mut rng = rand::rng();
        // Users interleaved, so consecutive requests hit different accounts.
        for _ in 0..per_user {
            for &user in user_ids {
                let mut raw = [0u8; 32];
                rng.fill_bytes(&mut raw);
                let id = hex::encode(raw);
                let id_hash = hex::encode(Sha256::digest(id.as_bytes()));
                values.push(format!("('{id_hash}', {user}, 0, {now}, {})", now + 3600));
                ids.push(id);
            }
        }
        let mut sql = String::from("BEGIN;");
        for chunk in values.chunks(500) {
            sql.push_str(
                "INSERT INTO challenges (id_hash, user_id, attempts, created_at, expires_at) VALUES ",
            );
            sql.push_str(&chunk.join(","));
            sql.push(';');
        }
        sql.push_str("COMMIT;");
        self.exec(&sql)?;
        Ok(ids)
    }

    /// Users with an active sealed TOTP secret, for the baseline databases.
    pub fn insert_totp_users(
        &mut self,
        prefix: &str,
        mut sealed: impl FnMut(i64) -> Vec<u8>,
        count: usize,
        now: i64,
    ) -> anyhow::Result<Vec<i64>> {
        let mut ids = Vec::new();
        for i in 0..count {
            let name = format!("{prefix}{i}");
            self.exec(&format!(
                "INSERT INTO users (username, username_key, password_hash, is_admin, created_at) \
                 VALUES ('{name}', '{name}', 'x', FALSE, {now})"
            ))?;
            let id = self.user_id(&name)?;
            let blob = self.blob(&sealed(id));
            self.exec(&format!(
                "INSERT INTO totp_credentials (user_id, state, secret_ct, key_id, created_at, \
                 enabled_at) VALUES ({id}, 'active', {blob}, 'bench', {now}, {now})"
            ))?;
            ids.push(id);
        }
        Ok(ids)
    }

    /// The scale fixture: `users` more accounts (each with an active TOTP credential row) and
    /// `events` audit events spread over every account, inserted in bulk by the database itself.
    /// Returns the seconds it took.
    pub fn insert_scale(&mut self, users: u64, events: u64, now: i64) -> anyhow::Result<f64> {
        let started = Instant::now();
        let series = |n: u64| match self {
            Db::Sqlite(_) => format!(
                "WITH RECURSIVE s(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM s WHERE x < {n}) "
            ),
            Db::Pg(_) => format!("WITH s(x) AS (SELECT generate_series(1, {n})) "),
        };
        let (s_users, s_events) = (series(users), series(events));
        let phc = "$argon2id$v=19$m=19456,t=2,p=1$c2NhbGVzY2FsZXNjYWxlMQ$\
                   9jBXM/GkQ+RXt2KYtDY6t0A4+jNiMvHNIBO7V5gA7Bs";
        let blob = self.blob(&[0u8; 60]);
        let concat = |a: &str, b: &str| format!("({a} || {b})");
        let name = concat("'scale-user-'", "CAST(x AS TEXT)");
        self.exec("BEGIN;")?;
        self.exec(&format!(
            "INSERT INTO users (username, username_key, password_hash, is_admin, created_at) \
             {s_users} SELECT {name}, {name}, '{phc}', FALSE, {now} FROM s;"
        ))?;
        self.exec(&format!(
            "INSERT INTO totp_credentials (user_id, state, secret_ct, key_id, created_at, \
             enabled_at, last_used_step) SELECT id, 'active', {blob}, 'scale', {now}, {now}, NULL \
             FROM users WHERE username LIKE 'scale-user-%';"
        ))?;
        let max_id = self
            .ids("SELECT MAX(id) AS id FROM users")?
            .first()
            .copied()
            .unwrap_or(1);
        self.exec(&format!(
            "INSERT INTO audit_events (at, user_id, ip, user_agent, event, outcome, reason) \
             {s_events} SELECT {now} - x, (x % {max_id}) + 1, '192.0.2.' || CAST(x % 250 AS TEXT), \
             'scale-fixture', 'login.password', 'failure', 'invalid_credentials' FROM s;"
        ))?;
        self.exec("COMMIT;")?;
        match self {
            Db::Sqlite(_) => self.exec("PRAGMA wal_checkpoint(TRUNCATE);")?,
            Db::Pg(_) => {
                self.exec("ANALYZE users; ANALYZE audit_events; ANALYZE totp_credentials;")?
            }
        }
        Ok(started.elapsed().as_secs_f64())
    }
}

fn sql_str(s: &str) -> String {
    s.replace('\'', "''")
}

/// Creates (dropping any leftover of the same name) a PostgreSQL database for one run and
/// returns its URL.
pub fn fresh_pg_database(admin_url: &str, name: &str) -> anyhow::Result<String> {
    ensure!(
        name.starts_with(PG_PREFIX),
        "refusing to manage database {name}"
    );
    let mut admin = PgConnection::establish(admin_url)
        .with_context(|| format!("cannot reach PostgreSQL at {admin_url}"))?;
    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))?;
    admin.batch_execute(&format!("CREATE DATABASE {name}"))?;
    let base = admin_url.rsplit_once('/').map_or(admin_url, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

pub fn drop_pg_database(admin_url: &str, name: &str) {
    if !name.starts_with(PG_PREFIX) {
        return;
    }
    if let Ok(mut admin) = PgConnection::establish(admin_url) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}
