//! The administrator CLI (`twofa user|2fa|keys|healthcheck`) run as a separate process on the
//! same data dir and database as a server.

use serde_json::Value;

use crate::client::{assert_error, expect_json};
use crate::helpers::aligned_now;
use crate::ops_support::{
    add_user, enroll, failed, ok, path_str, run_cli, sign_in_totp, Store, PASSWORD,
};

#[tokio::test]
async fn user_add_takes_the_password_from_stdin_and_the_user_can_sign_in() {
    let store = Store::new().await;
    let out = ok(&store
        .cli(
            &["user", "add", "carol", "--admin"],
            Some(&format!("{PASSWORD}\n")),
            &[],
        )
        .await);
    assert_eq!(out.trim(), "created administrator carol (id 1)");
    let out = ok(&store
        .cli(
            &["user", "add", "dave"],
            Some(&format!("{PASSWORD}\r\n")),
            &[],
        )
        .await);
    assert_eq!(out.trim(), "created user dave (id 2)");

    // Never from argv: an extra argument is a usage error (clap exits 2).
    let out = store
        .cli(&["user", "add", "erin", PASSWORD], None, &[])
        .await;
    assert_eq!(out.status.code(), Some(2));
    let err = failed(
        &store
            .cli(
                &["user", "add", "Carol"],
                Some(&format!("{PASSWORD}\n")),
                &[],
            )
            .await,
    );
    assert!(err.contains("already exists"), "{err}");
    let err = failed(
        &store
            .cli(&["user", "add", "frank"], Some("short\n"), &[])
            .await,
    );
    assert!(err.contains("at least 8 characters"), "{err}");
    let err = failed(&store.cli(&["user", "add", "gina"], Some(""), &[]).await);
    assert!(err.contains("no password given"), "{err}");

    let list = ok(&store.cli(&["user", "list"], None, &[]).await);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0][..6],
        ["1", "carol", "yes", "off", "0", "active"],
        "{list}"
    );
    assert_eq!(
        rows[1][..6],
        ["2", "dave", "no", "off", "0", "active"],
        "{list}"
    );
    assert_eq!(rows[2], ["2", "user(s)"], "{list}");

    let server = store.start(&[]).await;
    let body = expect_json(server.client.login("carol", PASSWORD).await, 200).await;
    assert_eq!(body["status"], "authenticated");
    assert_eq!(body["user"]["is_admin"], true);
    // A user made by the CLI closes first-run setup.
    assert_error(
        server.new_client().setup("mallory", PASSWORD).await,
        409,
        "setup_done",
    )
    .await;
    let events = expect_json(server.client.get("/api/me/events").await, 200).await;
    let created = find_event(&events, "admin.admin_created");
    assert_eq!(created["reason"], "cli");
    assert_eq!(created["user_agent"], "twofa-cli");
}

fn find_event<'a>(events: &'a Value, name: &str) -> &'a Value {
    events["events"]
        .as_array()
        .expect("events")
        .iter()
        .find(|e| e["event"] == name)
        .unwrap_or_else(|| panic!("no {name} event in {events}"))
}

#[tokio::test]
async fn two_fa_reset_removes_the_second_factor_and_ends_sessions() {
    let store = Store::new().await;
    add_user(&store, "alice", true).await;
    let server = store.start(&[]).await;
    server.set_clock(aligned_now()).await;
    let (_secret, codes) = enroll(&server, &server.client, "alice").await;
    expect_json(server.client.me().await, 200).await;

    let out = ok(&store.cli(&["2fa", "reset", "ALICE"], None, &[]).await);
    assert!(
        out.starts_with("reset two-factor authentication of alice"),
        "{out}"
    );

    // The open session ended; the password alone signs in now; the old recovery codes are gone.
    assert_error(server.client.me().await, 401, "unauthenticated").await;
    let fresh = server.new_client();
    let body = expect_json(fresh.login("alice", PASSWORD).await, 200).await;
    assert_eq!(body["status"], "authenticated", "{body}");
    let me = expect_json(fresh.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], false);
    assert_eq!(me["two_factor"]["recovery_codes_remaining"], 0);
    let events = expect_json(fresh.get("/api/me/events").await, 200).await;
    assert_eq!(find_event(&events, "admin.2fa_reset")["reason"], "cli");
    assert_eq!(codes.len(), 10);

    let err = failed(&store.cli(&["2fa", "reset", "alice"], None, &[]).await);
    assert!(
        err.contains("alice has no two-factor authentication to reset"),
        "{err}"
    );
    let err = failed(&store.cli(&["2fa", "reset", "nobody"], None, &[]).await);
    assert!(err.contains("no user named \"nobody\""), "{err}");
}

fn key_file(store: &Store) -> String {
    std::fs::read_to_string(store.data_dir().join("secret.key")).expect("key file")
}

#[tokio::test]
async fn keys_rotate_reseals_secrets_and_keeps_recovery_codes_working() {
    let store = Store::new().await;
    add_user(&store, "alice", true).await;
    let server = store.start(&[]).await;
    let t = aligned_now();
    server.set_clock(t).await;
    let (secret, codes) = enroll(&server, &server.client, "alice").await;
    assert!(server.stop().await.success());

    let out = ok(&store.cli(&["keys", "check"], None, &[]).await);
    assert!(
        out.ends_with("fits the database; 1 TOTP secret(s) open\n"),
        "{out}"
    );
    let old_key = key_file(&store);
    let out = ok(&store.cli(&["keys", "rotate"], None, &[]).await);
    assert!(
        out.contains("re-encrypted 1 TOTP secret(s) and the key check"),
        "{out}"
    );
    let new_key = key_file(&store);
    assert_ne!(old_key, new_key);
    assert_eq!(new_key.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(store.data_dir().join("secret.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(!store.data_dir().join("secret.key.new").exists());
    ok(&store.cli(&["keys", "check"], None, &[]).await);

    // The old key no longer fits: the server refuses to start with it.
    let err = failed(
        &store
            .cli(
                &["keys", "check"],
                None,
                &[("TWOFA_SECRET_KEY", old_key.trim())],
            )
            .await,
    );
    assert!(err.contains("does not fit this database"), "{err}");

    // With the new key, TOTP (re-sealed) and recovery codes (lookup key kept) still work.
    let server = store.start(&[]).await;
    server.set_clock(t + 90).await;
    let body = sign_in_totp(&server, &server.client, "alice", &secret).await;
    assert_eq!(body["status"], "authenticated");
    let other = server.new_client();
    let challenge = other.start_challenge("alice", PASSWORD).await;
    let body = expect_json(
        other
            .challenge_with_recovery_code(&challenge, &codes[0])
            .await,
        200,
    )
    .await;
    assert_eq!(body["recovery_codes_remaining"], 9);
}

#[tokio::test]
async fn keys_check_and_rotate_with_the_key_in_the_environment() {
    let store = Store::new().await;
    let key = "11".repeat(32);
    let env = [("TWOFA_SECRET_KEY", key.as_str())];
    ok(&store
        .cli(
            &["user", "add", "alice"],
            Some(&format!("{PASSWORD}\n")),
            &env,
        )
        .await);
    assert!(
        !store.data_dir().join("secret.key").exists(),
        "an env key writes no key file"
    );

    let wrong = "22".repeat(32);
    let err = failed(
        &store
            .cli(&["keys", "check"], None, &[("TWOFA_SECRET_KEY", &wrong)])
            .await,
    );
    assert!(err.contains("does not fit this database"), "{err}");
    let err = failed(&store.cli(&["keys", "check"], None, &[]).await);
    assert!(err.contains("no key"), "{err}");

    let out = ok(&store.cli(&["keys", "rotate"], None, &env).await);
    let pending = store.data_dir().join("secret.key.new");
    assert!(out.contains("set it to the content of"), "{out}");
    let new_key = std::fs::read_to_string(&pending).expect("secret.key.new");
    let new_key = new_key.trim();
    failed(&store.cli(&["keys", "check"], None, &env).await);
    ok(&store
        .cli(&["keys", "check"], None, &[("TWOFA_SECRET_KEY", new_key)])
        .await);
}

#[tokio::test]
async fn healthcheck_exit_status_follows_the_server() {
    let store = Store::new().await;
    let server = store.start(&[]).await;
    let bind = format!(
        "{}:{}",
        server.base.host_str().unwrap(),
        server.base.port().unwrap()
    );
    let out = ok(&store
        .cli(&["healthcheck"], None, &[("TWOFA_BIND", &bind)])
        .await);
    assert!(out.starts_with("healthy"), "{out}");
    assert!(server.stop().await.success());
    let err = failed(
        &store
            .cli(&["healthcheck"], None, &[("TWOFA_BIND", &bind)])
            .await,
    );
    assert!(err.contains("unhealthy"), "{err}");
}

#[tokio::test]
async fn commands_fail_with_a_clear_message_on_a_bad_database() {
    let store = Store::new().await;
    let err = failed(
        &store
            .cli(
                &["user", "list"],
                None,
                &[("TWOFA_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")],
            )
            .await,
    );
    assert!(
        err.lines()
            .any(|l| l.starts_with("twofa: cannot connect to PostgreSQL")),
        "{err}"
    );
}

#[tokio::test]
async fn commands_on_an_installation_refuse_a_data_dir_without_its_database() {
    // Run from the wrong directory, `user list` used to answer "0 user(s)" from a new, empty
    // database it had just created there.
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let env = [("TWOFA_DATA_DIR".to_owned(), path_str(&data))];
    for args in [
        &["user", "list"][..],
        &["2fa", "reset", "alice"],
        &["keys", "check"],
        &["keys", "rotate"],
    ] {
        let err = failed(&run_cli(&env, args, None, &[]).await);
        let expected = format!("twofa: no database at {}", path_str(&data.join("twofa.db")));
        assert!(
            err.lines().any(|l| l.starts_with(&expected)),
            "{args:?}: {err}"
        );
        assert!(!data.exists(), "{args:?} created {}", data.display());
    }
    // Creating the first administrator from the CLI is how a new installation may start.
    let out = ok(&run_cli(
        &env,
        &["user", "add", "alice", "--admin"],
        Some(&format!("{PASSWORD}\n")),
        &[],
    )
    .await);
    assert_eq!(out.trim(), "created administrator alice (id 1)");
    let list = ok(&run_cli(&env, &["user", "list"], None, &[]).await);
    assert!(list.ends_with("1 user(s)\n"), "{list}");
}

#[tokio::test]
async fn keys_rotate_refuses_while_an_instance_serves_the_database() {
    let store = Store::new().await;
    add_user(&store, "alice", true).await;
    let server = store.start(&[]).await;
    let t = aligned_now();
    server.set_clock(t).await;
    let (secret, _codes) = enroll(&server, &server.client, "alice").await;
    let before = key_file(&store);

    let err = failed(&store.cli(&["keys", "rotate"], None, &[]).await);
    assert!(
        err.lines()
            .any(|l| l.starts_with("twofa: 1 instance(s) serve this database")),
        "{err}"
    );
    assert_eq!(key_file(&store), before, "the key is untouched");
    assert!(!store.data_dir().join("secret.key.new").exists());
    // The running server still opens its secrets.
    server.set_clock(t + 30).await;
    let body = sign_in_totp(&server, &server.client, "alice", &secret).await;
    assert_eq!(body["status"], "authenticated");

    // A graceful stop removes the heartbeat: the rotation goes ahead at once.
    assert!(server.stop().await.success());
    let out = ok(&store.cli(&["keys", "rotate"], None, &[]).await);
    assert!(out.contains("re-encrypted 1 TOTP secret(s)"), "{out}");
    assert_ne!(key_file(&store), before);
}
