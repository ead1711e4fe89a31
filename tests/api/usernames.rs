//! Usernames that look alike (UTS #39 confusable skeleton) are one account: `bob`, Cyrillic `ВОВ`,
//! Greek `ΒΟΒ`, `b0b`... A second one is refused with `username_taken` by a unique index.

use diesel::sql_types::{BigInt, Nullable, Text};
use diesel::{sql_query, Connection, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};
use serde_json::{json, Value};

use crate::client::{assert_error, expect_json, Client};
use crate::helpers::spawn_app;
use crate::ops_support::{add_user, failed, ok, Store, PASSWORD};

const CYRILLIC_BOB: &str = "\u{412}\u{41e}\u{412}";
const GREEK_BOB: &str = "\u{392}\u{39f}\u{392}";

async fn create(admin: &Client, username: &str) -> reqwest::Response {
    admin
        .post(
            "/api/admin/users",
            json!({"username": username, "password": PASSWORD}),
        )
        .await
}

async fn usernames(admin: &Client) -> Vec<String> {
    let list = expect_json(admin.get("/api/admin/users").await, 200).await;
    list["users"]
        .as_array()
        .expect("users")
        .iter()
        .map(|u| u["username"].as_str().expect("username").to_owned())
        .collect()
}

#[tokio::test]
async fn a_name_that_looks_like_an_existing_one_is_taken() {
    let app = spawn_app().await;
    expect_json(app.client.setup("admin", PASSWORD).await, 201).await;
    expect_json(app.client.login("admin", PASSWORD).await, 200).await;
    expect_json(create(&app.client, "bob").await, 201).await;
    expect_json(create(&app.client, "modern").await, 201).await;

    for look_alike in [
        CYRILLIC_BOB,
        "\u{432}\u{43e}\u{432}",
        GREEK_BOB,
        "b0b",
        "rnodern",
    ] {
        let err = assert_error(create(&app.client, look_alike).await, 409, "username_taken").await;
        // The same answer as an exact duplicate.
        let exact = assert_error(create(&app.client, "bob").await, 409, "username_taken").await;
        assert_eq!(err, exact, "{look_alike}");
    }
    // A colon would split the authenticator's `issuer:account` label.
    assert_error(create(&app.client, "e:ve").await, 400, "invalid_request").await;
    // Names that only share letters, or look different, are still free.
    expect_json(create(&app.client, "bab").await, 201).await;
    expect_json(create(&app.client, "\u{431}\u{43e}\u{431}").await, 201).await; // Cyrillic боб
    assert_eq!(
        usernames(&app.client).await,
        ["admin", "bob", "modern", "bab", "\u{431}\u{43e}\u{431}"]
    );
}

#[tokio::test]
async fn concurrent_look_alike_creations_leave_one_account() {
    let app = spawn_app().await;
    expect_json(app.client.setup("admin", PASSWORD).await, 201).await;
    expect_json(app.client.login("admin", PASSWORD).await, 200).await;
    let names = [
        "bob",
        CYRILLIC_BOB,
        GREEK_BOB,
        "b0b",
        "B0B",
        "\u{3b2}\u{3bf}\u{3b2}",
    ];

    for round in 0..3 {
        let attempts = names.map(|name| {
            let client = app.client.clone();
            let name = format!("{name}{round}");
            tokio::spawn(async move {
                let resp = create(&client, &name).await;
                let status = resp.status().as_u16();
                (status, resp.json::<Value>().await.expect("json body"))
            })
        });
        let mut created = 0;
        for attempt in attempts {
            let (status, body) = attempt.await.expect("request task");
            match status {
                201 => created += 1,
                409 => assert_eq!(body["error"]["code"], "username_taken", "{body}"),
                other => panic!("unexpected {other}: {body}"),
            }
        }
        assert_eq!(created, 1, "round {round}");
    }
    assert_eq!(usernames(&app.client).await.len(), 4);
}

#[tokio::test]
async fn a_look_alike_name_does_not_sign_in_as_the_real_user() {
    let app = spawn_app().await;
    expect_json(app.client.setup("bob", PASSWORD).await, 201).await;

    let look_alike = app.new_client().login(CYRILLIC_BOB, PASSWORD).await;
    let unknown = app.new_client().login("nobody", PASSWORD).await;

    let look_alike = assert_error(look_alike, 401, "invalid_credentials").await;
    let unknown = assert_error(unknown, 401, "invalid_credentials").await;
    assert_eq!(look_alike, unknown);
    expect_json(app.new_client().login("BOB", PASSWORD).await, 200).await;
}

#[tokio::test]
async fn cli_user_add_refuses_a_look_alike() {
    let store = Store::new().await;
    add_user(&store, "bob", true).await;
    let err = failed(
        &store
            .cli(
                &["user", "add", GREEK_BOB],
                Some(&format!("{PASSWORD}\n")),
                &[],
            )
            .await,
    );
    assert!(err.contains("already exists"), "{err}");
    let list = ok(&store.cli(&["user", "list"], None, &[]).await);
    assert!(list.contains("1 user(s)"), "{list}");
}

#[derive(QueryableByName, Debug, PartialEq)]
struct SkeletonRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Nullable<Text>)]
    username_skeleton: Option<String>,
}

/// Runs `statements` on the store's database, then reads every user's skeleton.
fn on_database(store: &Store, statements: &[&str]) -> Vec<SkeletonRow> {
    const SELECT: &str = "SELECT id, username_skeleton FROM users ORDER BY id";
    match store.database_url() {
        Some(url) => {
            let mut conn = PgConnection::establish(url).expect("connect");
            for sql in statements {
                sql_query(*sql).execute(&mut conn).expect(sql);
            }
            sql_query(SELECT).load(&mut conn).expect("select")
        }
        None => {
            let path = store.data_dir().join("twofa.db");
            let mut conn =
                SqliteConnection::establish(path.to_str().expect("UTF-8 path")).expect("open");
            for sql in statements {
                sql_query(*sql).execute(&mut conn).expect(sql);
            }
            sql_query(SELECT).load(&mut conn).expect("select")
        }
    }
}

fn row(id: i64, skeleton: Option<&str>) -> SkeletonRow {
    SkeletonRow {
        id,
        username_skeleton: skeleton.map(str::to_owned),
    }
}

#[tokio::test]
async fn start_up_fills_skeletons_of_older_accounts_and_keeps_both_of_a_colliding_pair() {
    let store = Store::new().await;
    add_user(&store, "alice", true).await;
    add_user(&store, "bob", false).await;
    add_user(&store, "carol", false).await;
    // The state before the migration: no skeletons, and a look-alike pair (bob, ВОВ) that the
    // old rules let in, with copies of a real password hash so both can sign in.
    let before = on_database(
        &store,
        &[
            "UPDATE users SET username_skeleton = NULL",
            "INSERT INTO users (username, username_key, password_hash, is_admin, created_at) \
             SELECT 'ВОВ', 'вов', password_hash, FALSE, created_at FROM users WHERE id = 2",
        ],
    );
    assert_eq!(
        before,
        [row(1, None), row(2, None), row(3, None), row(4, None)]
    );

    let server = store.start(&[]).await;

    let after = on_database(&store, &[]);
    assert_eq!(
        after,
        [
            row(1, Some("alice")),
            row(2, Some("bob")),
            row(3, Some("carol")),
            row(4, None)
        ]
    );
    let log = std::fs::read_to_string(server.log_path()).expect("server log");
    let warning = log
        .lines()
        .find(|l| l.contains("looks like another account"))
        .unwrap_or_else(|| panic!("no warning in {log}"));
    assert!(
        warning.contains("user_id=4") && warning.contains("looks_like_user_id=2"),
        "{warning}"
    );
    assert!(
        !warning.contains("ВОВ") && !warning.contains("bob"),
        "{warning}"
    );
    // Both older accounts still sign in; a new look-alike is refused.
    expect_json(server.new_client().login("bob", PASSWORD).await, 200).await;
    expect_json(server.new_client().login(CYRILLIC_BOB, PASSWORD).await, 200).await;
    expect_json(server.client.login("alice", PASSWORD).await, 200).await;
    assert_error(create(&server.client, "b0b").await, 409, "username_taken").await;
    server.stop().await;

    // Idempotent: `migrate` again changes nothing.
    ok(&store.cli(&["migrate"], None, &[]).await);
    assert_eq!(on_database(&store, &[]), after);
}
