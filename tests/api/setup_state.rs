//! First-run setup as a state: `GET /api/setup` says whether it is open, and once any user
//! exists `POST /api/setup` answers 409 `setup_done` whatever the body holds, so nothing about
//! the password policy or the field checks can be learnt from it afterwards.

use reqwest::Method;
use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::client::{assert_error, expect_json};
use crate::helpers::{spawn_app, TestApp};

async fn needed(app: &TestApp) -> Value {
    let body = expect_json(app.bare_client().get("/api/setup").await, 200).await;
    assert_eq!(body.as_object().map(|o| o.len()), Some(1), "{body}");
    body["needed"].clone()
}

async fn user_count(app: &TestApp, username: &str, password: &str) -> usize {
    let admin = app.new_client();
    expect_json(admin.login(username, password).await, 200).await;
    let list = expect_json(admin.get("/api/admin/users").await, 200).await;
    list["users"].as_array().expect("users").len()
}

#[tokio::test]
async fn setup_is_needed_only_while_no_user_exists() {
    // Arrange
    let app = spawn_app().await;

    // Act + Assert: open on a fresh server, to anyone, and still open after refused attempts.
    assert_eq!(needed(&app).await, true);
    let weak = app.client.setup("alice", "short").await;
    assert_error(weak, 400, "weak_password").await;
    let missing = app
        .client
        .post("/api/setup", json!({"username": "alice"}))
        .await;
    let body = assert_error(missing, 400, "invalid_request").await;
    assert_eq!(body["error"]["message"], "missing field `password`");
    assert_eq!(needed(&app).await, true);

    let user = app.setup_user().await;
    assert_eq!(needed(&app).await, false);
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    let signed_in = expect_json(app.client.get("/api/setup").await, 200).await;
    assert_eq!(signed_in, json!({"needed": false}));
}

#[tokio::test]
async fn after_setup_every_json_body_gets_setup_done() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    let bodies = [
        json!({"username": "mallory", "password": "x"}),
        json!({"username": "mallory", "password": "y".repeat(300)}),
        json!({"username": "", "password": "another long passphrase 77"}),
        json!({"username": " bad\tname", "password": "another long passphrase 77"}),
        json!({"username": "mallory"}),
        json!({"username": 7, "password": false}),
        json!({"username": "mallory", "password": "another long passphrase 77", "is_admin": true}),
        json!({}),
        json!([]),
        json!("setup"),
        Value::Null,
    ];

    for body in bodies {
        // Act
        let resp = app.new_client().post("/api/setup", body.clone()).await;

        // Assert
        let err = assert_error(resp, 409, "setup_done").await;
        assert!(
            !err.to_string().contains("password"),
            "{body} -> {err}: the answer must not talk about the password"
        );
    }
    assert_eq!(needed(&app).await, false);
    assert_eq!(user_count(&app, &user.username, &user.password).await, 1);
}

#[tokio::test]
async fn after_setup_a_body_that_is_not_json_is_still_a_request_error() {
    // Arrange
    let app = spawn_app().await;
    app.setup_user().await;
    let c = app.new_client();

    // Act
    let broken = c
        .post_raw(
            "/api/setup",
            Some("application/json"),
            b"{\"username\":".to_vec(),
        )
        .await;
    let form = c
        .post_raw(
            "/api/setup",
            Some("application/x-www-form-urlencoded"),
            b"username=a&password=b".to_vec(),
        )
        .await;
    let oversize = c
        .post_raw(
            "/api/setup",
            Some("application/json"),
            format!("{{\"username\":\"{}\"}}", "a".repeat(8192)).into_bytes(),
        )
        .await;

    // Assert
    assert_error(broken, 400, "invalid_request").await;
    assert_error(form, 415, "unsupported_media_type").await;
    assert_error(oversize, 413, "payload_too_large").await;
}

#[tokio::test]
async fn concurrent_setups_create_exactly_one_admin() {
    // Arrange
    let app = spawn_app().await;
    let password = "correct horse battery staple 42";

    // Act: eight first-run attempts at once, two of them with a password the policy refuses.
    let mut set = JoinSet::new();
    for i in 0..8 {
        let client = app.new_client();
        let pw = if i % 4 == 3 { "short" } else { password };
        set.spawn(async move {
            let resp = client.setup(&format!("admin{i}"), pw).await;
            let status = resp.status().as_u16();
            let body: Value = resp.json().await.expect("JSON body");
            (i, status, body)
        });
    }
    let answers = set.join_all().await;

    // Assert
    let mut created = Vec::new();
    let mut refused = 0;
    for (i, status, body) in answers {
        match status {
            201 => created.push(i),
            409 => {
                assert_eq!(body["error"]["code"], "setup_done", "{body}");
                refused += 1;
            }
            400 => {
                assert_eq!(i % 4, 3, "only the short passwords may be refused as weak");
                assert_eq!(body["error"]["code"], "weak_password", "{body}");
            }
            other => panic!("attempt {i}: unexpected {other}: {body}"),
        }
    }
    assert_eq!(created.len(), 1, "created by {created:?}");
    assert!(refused >= 5, "{refused} setup_done answers");
    assert_eq!(needed(&app).await, false);
    let winner = format!("admin{}", created[0]);
    assert_eq!(user_count(&app, &winner, password).await, 1);
}

#[tokio::test]
async fn get_setup_is_documented_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let doc = expect_json(app.bare_client().get("/api/openapi.json").await, 200).await;
    for method in [Method::GET, Method::HEAD, Method::GET] {
        let resp = app
            .bare_client()
            .request(
                method,
                "/api/setup?username=x&password=correct+horse+battery",
            )
            .send()
            .await
            .expect("answer");
        assert_eq!(resp.status(), 200);
    }

    // Assert
    let op = &doc["paths"]["/api/setup"]["get"];
    assert_eq!(
        op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/SetupStatus"
    );
    assert_eq!(
        doc["components"]["schemas"]["SetupStatus"]["required"],
        json!(["needed"])
    );
    assert_eq!(needed(&app).await, true);
}
