//! First-run setup, the password step's answers, and the health probe.

use crate::client::{assert_error, expect_json};
use crate::helpers::spawn_app;

#[tokio::test]
async fn setup_creates_the_first_admin_once() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let first = app
        .client
        .setup("alice", "correct horse battery staple 42")
        .await;
    let second = app
        .new_client()
        .setup("mallory", "another long passphrase 77")
        .await;

    // Assert
    let body = expect_json(first, 201).await;
    assert_eq!(body["user"]["username"], "alice");
    assert_eq!(body["user"]["is_admin"], true);
    assert_error(second, 409, "setup_done").await;
    let mallory = app
        .client
        .login("mallory", "another long passphrase 77")
        .await;
    assert_error(mallory, 401, "invalid_credentials").await;
}

#[tokio::test]
async fn an_unknown_user_and_a_wrong_password_get_identical_answers() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;

    // Act
    let unknown = app.new_client().login("nobody", "whatever it is 123").await;
    let wrong = app
        .new_client()
        .login(&user.username, "whatever it is 123")
        .await;

    // Assert
    let headers = |r: &reqwest::Response| {
        let mut h: Vec<(String, String)> = r
            .headers()
            .iter()
            // Both differ per response by nature, not by what they reveal.
            .filter(|(k, _)| *k != "date" && *k != "x-request-id")
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_owned()))
            .collect();
        h.sort();
        h
    };
    assert_eq!(headers(&unknown), headers(&wrong), "headers differ");
    let (unknown_status, wrong_status) = (unknown.status(), wrong.status());
    let unknown_body = unknown.bytes().await.expect("body");
    let wrong_body = wrong.bytes().await.expect("body");
    assert_eq!(unknown_status, 401);
    assert_eq!(wrong_status, 401);
    assert_eq!(unknown_body, wrong_body, "bodies differ");
    let body: serde_json::Value = serde_json::from_slice(&wrong_body).expect("JSON");
    assert_eq!(body["error"]["code"], "invalid_credentials");
}

#[tokio::test]
async fn health_reports_the_database() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let resp = app.bare_client().get("/api/health").await;

    // Assert
    let body = expect_json(resp, 200).await;
    assert_eq!(body, serde_json::json!({"status": "ok", "database": "ok"}));
}

#[tokio::test]
async fn look_alike_usernames_are_refused_beside_an_existing_one() {
    // Arrange
    let app = spawn_app().await;
    let password = "correct horse battery staple 42";
    expect_json(app.client.setup("Bob", password).await, 201).await;
    expect_json(app.client.login("Bob", password).await, 200).await;
    let create = |username: &'static str| {
        let client = app.client.clone();
        async move {
            let body = serde_json::json!({"username": username, "password": password});
            client.post("/api/admin/users", body).await
        }
    };

    // Act
    let fullwidth = create("\u{ff22}\u{ff2f}\u{ff22}").await;
    let cyrillic = create("b\u{043e}b").await;
    let tabbed = create("bob\tsmith").await;
    let nbsp = create("bob\u{a0}smith").await;
    let inner_space = create("bob smith").await;

    // Assert
    assert_error(fullwidth, 409, "username_taken").await;
    let err = assert_error(cyrillic, 400, "invalid_request").await;
    assert!(err["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("scripts"));
    assert_error(tabbed, 400, "invalid_request").await;
    assert_error(nbsp, 400, "invalid_request").await;
    expect_json(inner_space, 201).await;
    let login = app
        .new_client()
        .login("\u{ff42}\u{ff4f}\u{ff42}", password)
        .await;
    assert_eq!(expect_json(login, 200).await["user"]["username"], "Bob");
}
