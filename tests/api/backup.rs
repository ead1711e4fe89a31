//! Backups of a SQLite deployment: the database and the key file, hot (SQLite's `VACUUM INTO`,
//! a consistent snapshot while the server runs) or cold (a copy after a clean shutdown). A new
//! server on the copy signs in with the password and the second factor. Always SQLite: this is
//! the single-machine deployment; PostgreSQL backups are pg_dump (docs/operations.md).

use std::path::Path;

use diesel::{Connection, RunQueryDsl, SqliteConnection};
use tempfile::TempDir;

use crate::client::expect_json;
use crate::helpers::aligned_now;
use crate::ops_support::{enroll, failed, ok, path_str, run_cli, sign_in_totp, Server, PASSWORD};

fn env(dir: &Path) -> Vec<(String, String)> {
    vec![("TWOFA_DATA_DIR".to_owned(), path_str(dir))]
}

fn copy_key(from: &Path, to: &Path) {
    std::fs::copy(from.join("secret.key"), to.join("secret.key")).expect("copy the key");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(to.join("secret.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the copied key keeps mode 0600");
    }
}

/// A server on `dir` signs alice in with TOTP at `t` and with a recovery code.
async fn signs_in(dir: &Path, secret: &str, recovery_code: &str, t: i64) {
    let server = Server::start(dir, &env(dir)).await;
    server.set_clock(t).await;
    let body = sign_in_totp(&server, &server.client, "alice", secret).await;
    assert_eq!(body["status"], "authenticated");
    let other = server.new_client();
    let challenge = other.start_challenge("alice", PASSWORD).await;
    let body = expect_json(
        other
            .challenge_with_recovery_code(&challenge, recovery_code)
            .await,
        200,
    )
    .await;
    assert_eq!(body["recovery_codes_remaining"], 9);
}

#[tokio::test]
async fn a_restored_copy_of_database_and_key_signs_in_with_2fa() {
    let live = TempDir::new().unwrap();
    let stdin = format!("{PASSWORD}\n");
    ok(&run_cli(
        &env(live.path()),
        &["user", "add", "alice", "--admin"],
        Some(&stdin),
        &[],
    )
    .await);
    let server = Server::start(live.path(), &env(live.path())).await;
    let t = aligned_now();
    server.set_clock(t).await;
    let (secret, codes) = enroll(&server, &server.client, "alice").await;

    // Hot backup while the server runs.
    let hot = TempDir::new().unwrap();
    let target = path_str(&hot.path().join("twofa.db"));
    let mut conn =
        SqliteConnection::establish(&path_str(&live.path().join("twofa.db"))).expect("open db");
    diesel::sql_query(format!("VACUUM INTO '{}'", target.replace('\'', "''")))
        .execute(&mut conn)
        .expect("VACUUM INTO");
    drop(conn);
    copy_key(live.path(), hot.path());

    // Cold backup after a clean shutdown (WAL checkpointed, so db + key is the whole state).
    assert!(server.stop().await.success());
    let cold = TempDir::new().unwrap();
    for name in ["twofa.db", "twofa.db-wal", "twofa.db-shm"] {
        let from = live.path().join(name);
        if from.exists() {
            std::fs::copy(&from, cold.path().join(name)).unwrap();
        }
    }
    copy_key(live.path(), cold.path());

    ok(&run_cli(&env(hot.path()), &["keys", "check"], None, &[]).await);
    signs_in(hot.path(), &secret, &codes[0], t + 60).await;
    signs_in(cold.path(), &secret, &codes[1], t + 60).await;

    // The database without its key is refused with a clear message, never misread.
    let keyless = TempDir::new().unwrap();
    std::fs::copy(hot.path().join("twofa.db"), keyless.path().join("twofa.db")).unwrap();
    let wrong = "ab".repeat(32);
    let err = failed(
        &run_cli(
            &env(keyless.path()),
            &["serve"],
            None,
            &[("TWOFA_SECRET_KEY", &wrong)],
        )
        .await,
    );
    assert!(err.contains("does not fit this database"), "{err}");
}
