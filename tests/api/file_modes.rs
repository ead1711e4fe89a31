//! Everything the server creates in its data dir is its owner's alone: the dir 0700, the key
//! file and the SQLite database with its `-wal` and `-shm` files 0600, right after start-up and
//! after writes. (On the PostgreSQL run there is no SQLite file at all.)

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::backend::Backend;
use crate::client::expect_json;
use crate::helpers::spawn_app;
use crate::ops_support::Store;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .permissions()
        .mode()
        & 0o777
}

fn assert_private(dir: &Path, when: &str) {
    assert_eq!(mode(&dir.join("secret.key")), 0o600, "secret.key {when}");
    match Backend::from_env() {
        Backend::Sqlite => {
            for name in ["twofa.db", "twofa.db-wal", "twofa.db-shm"] {
                assert_eq!(mode(&dir.join(name)), 0o600, "{name} {when}");
            }
        }
        Backend::Postgres { .. } => {
            assert!(
                !dir.join("twofa.db").exists(),
                "a SQLite file on PostgreSQL"
            );
        }
    }
}

#[tokio::test]
async fn the_database_files_are_created_readable_by_their_owner_only() {
    // Arrange: the server inherits the runner's umask (typically 022, which SQLite alone
    // would turn into 0644 files).
    let app = spawn_app().await;

    // Act + Assert: right after start-up
    assert_private(app.data_dir(), "after start-up");

    // ... and after writes (a user, a session, audit rows).
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    expect_json(app.client.me().await, 200).await;
    assert_private(app.data_dir(), "after writes");
}

#[tokio::test]
async fn a_data_dir_created_by_the_server_is_0700() {
    // Arrange
    let store = Store::new().await;
    let nested = store.data_dir().join("nested").join("data");
    let nested_str = nested.to_str().expect("UTF-8 path");

    // Act
    let server = store.start(&[("TWOFA_DATA_DIR", nested_str)]).await;
    let status = expect_json(server.new_client().get("/api/setup").await, 200).await;

    // Assert
    assert_eq!(status["needed"], true);
    assert_eq!(mode(&nested), 0o700);
    assert_private(&nested, "in a data dir the server created");
}
