//! A JSON body is UTF-8: `application/json` with no charset or `charset=utf-8` (any case,
//! quoted or not) is read; any other charset is refused with 415 `unsupported_media_type`
//! before anything happens.

use crate::client::{assert_error, expect_json};
use crate::helpers::spawn_app;

const PASSWORD: &str = "correct horse battery staple 42";

fn setup_body() -> Vec<u8> {
    format!(r#"{{"username":"alice","password":"{PASSWORD}"}}"#).into_bytes()
}

#[tokio::test]
async fn a_json_body_in_another_charset_is_refused_and_changes_nothing() {
    // Arrange
    let app = spawn_app().await;

    for content_type in [
        "application/json; charset=latin1",
        "application/json; charset=ISO-8859-1",
        "application/json; charset=utf-16",
        "application/json;charset=\"us-ascii\"",
        "application/json; charset=utf8",
        "text/json",
    ] {
        // Act: with a browser's cookie jar and Origin, and without.
        for client in [app.new_client(), app.bare_client()] {
            let resp = client
                .post_raw("/api/setup", Some(content_type), setup_body())
                .await;

            // Assert
            assert_error(resp, 415, "unsupported_media_type").await;
        }
    }
    let status = expect_json(app.bare_client().get("/api/setup").await, 200).await;
    assert_eq!(status["needed"], true, "a refused setup created a user");
}

#[tokio::test]
async fn utf8_in_any_spelling_is_accepted() {
    // Arrange
    let app = spawn_app().await;
    let created = app
        .client
        .post_raw(
            "/api/setup",
            Some("application/json; charset=UTF-8"),
            setup_body(),
        )
        .await;
    expect_json(created, 201).await;

    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON; Charset=\"Utf-8\"",
        "application/json;charset=UTF-8",
    ] {
        // Act
        let body = format!(r#"{{"username":"alice","password":"{PASSWORD}"}}"#);
        let resp = app
            .new_client()
            .post_raw("/api/login", Some(content_type), body.into_bytes())
            .await;

        // Assert
        let login = expect_json(resp, 200).await;
        assert_eq!(login["status"], "authenticated", "{content_type}: {login}");
    }
    let latin1 = app
        .new_client()
        .post_raw(
            "/api/login",
            Some("application/json; charset=latin1"),
            format!(r#"{{"username":"alice","password":"{PASSWORD}"}}"#).into_bytes(),
        )
        .await;
    assert_error(latin1, 415, "unsupported_media_type").await;
}
