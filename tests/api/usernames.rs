//! Usernames that look alike (UTS #39 confusable skeleton) are one account: `bob`, Cyrillic `ВОВ`,
//! Greek `ΒΟΒ`, `b0b`... A second one is refused with `username_taken` by a unique index.

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
