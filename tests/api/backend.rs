//! Which database a spawned server uses: a file in its data dir (SQLite) or a PostgreSQL
//! database created for that one server and dropped with it.

use diesel::{Connection, PgConnection, RunQueryDsl};
use url::Url;

/// Reads `TWOFA_TEST_BACKEND` (`sqlite`, the default, or `postgres`).
pub enum Backend {
    Sqlite,
    Postgres { admin_url: String },
}

impl Backend {
    pub fn from_env() -> Self {
        let choice = std::env::var("TWOFA_TEST_BACKEND").unwrap_or_else(|_| "sqlite".into());
        match choice.as_str() {
            "sqlite" => Self::Sqlite,
            "postgres" => {
                let admin_url = std::env::var("TWOFA_TEST_DATABASE_URL").expect(
                    "TWOFA_TEST_BACKEND=postgres needs TWOFA_TEST_DATABASE_URL, \
                     e.g. postgres://postgres@127.0.0.1:5432/postgres",
                );
                Self::Postgres { admin_url }
            }
            other => panic!("TWOFA_TEST_BACKEND must be sqlite or postgres, not {other:?}"),
        }
    }
}

/// A PostgreSQL database that exists for one test server only.
pub struct Database {
    admin_url: String,
    name: String,
    pub url: String,
}

impl Database {
    /// Blocking: call from `spawn_blocking`.
    pub fn create(admin_url: &str) -> Self {
        let name = format!("twofa_t_{:016x}", rand::random::<u64>());
        let mut admin = connect(admin_url);
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut admin)
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name} failed: {e}"));
        let mut url = Url::parse(admin_url).expect("TWOFA_TEST_DATABASE_URL is not a URL");
        url.set_path(&name);
        Self {
            admin_url: admin_url.to_owned(),
            name,
            url: url.into(),
        }
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        // FORCE ends the server's pooled connections, which may outlive the killed process briefly.
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        if let Err(e) = diesel::sql_query(sql).execute(&mut connect(&self.admin_url)) {
            eprintln!("could not drop test database {}: {e}", self.name);
        }
    }
}

fn connect(admin_url: &str) -> PgConnection {
    PgConnection::establish(admin_url)
        .unwrap_or_else(|e| panic!("cannot reach PostgreSQL at TWOFA_TEST_DATABASE_URL: {e}"))
}
