//! `twofa serve` on a port that is already taken fails before any side effect: no key file,
//! no database file, no migrated schema; one clear line on stderr and a non-zero exit.

use diesel::{Connection, PgConnection, RunQueryDsl};

use crate::ops_support::{stderr, stdout, Store};

fn public_tables(url: &str) -> i64 {
    let mut conn = PgConnection::establish(url).expect("connect to the test database");
    diesel::select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
        "(SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public')",
    ))
    .get_result(&mut conn)
    .expect("count tables")
}

#[tokio::test]
async fn a_taken_port_fails_before_the_key_file_and_the_migrations() {
    // Arrange: a fresh store and a port someone else holds.
    let store = Store::new().await;
    let holder = std::net::TcpListener::bind("127.0.0.1:0").expect("hold a port");
    let taken = holder.local_addr().expect("address").to_string();
    let data_dir = store.data_dir().join("data");
    let data_dir_str = data_dir.to_str().expect("UTF-8 path");

    // Act
    let out = store
        .cli(
            &["serve"],
            None,
            &[
                ("TWOFA_BIND", &taken),
                ("TWOFA_DATA_DIR", data_dir_str),
                ("TWOFA_LOG", "info"),
            ],
        )
        .await;

    // Assert
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "stdout: {} stderr: {err}",
        stdout(&out)
    );
    assert!(stdout(&out).is_empty(), "stdout: {}", stdout(&out));
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one error line, got: {err}");
    assert!(
        lines[0].starts_with(&format!("twofa: cannot listen on {taken}: ")),
        "{err}"
    );
    assert!(!data_dir.exists(), "the data dir was created");
    let left: Vec<_> = std::fs::read_dir(store.data_dir())
        .expect("store dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "files left behind: {left:?}");
    if let Some(url) = store.database_url() {
        let url = url.to_owned();
        let tables = tokio::task::spawn_blocking(move || public_tables(&url))
            .await
            .expect("count tables");
        assert_eq!(tables, 0, "migrations ran on PostgreSQL");
    }
    drop(holder);
}

#[tokio::test]
async fn the_same_store_starts_once_the_port_is_free() {
    // Arrange: the refused start above must leave nothing a later start trips over.
    let store = Store::new().await;
    let holder = std::net::TcpListener::bind("127.0.0.1:0").expect("hold a port");
    let taken = holder.local_addr().expect("address").to_string();
    let refused = store.cli(&["serve"], None, &[("TWOFA_BIND", &taken)]).await;
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(!store.data_dir().join("secret.key").exists());
    drop(holder);

    // Act
    let server = store.start(&[]).await;

    // Assert
    let status = crate::client::expect_json(server.new_client().get("/api/setup").await, 200).await;
    assert_eq!(status["needed"], true);
    assert!(store.data_dir().join("secret.key").exists());
}
