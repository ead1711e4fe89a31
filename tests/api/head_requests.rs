//! HEAD answers like GET on every GET endpoint, API and SPA alike: same status, same headers
//! (length included), no body. Methods a path does not serve still get 405 with `Allow`.

use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::{Method, Response};
use tempfile::TempDir;

use crate::client::{assert_error, expect_json, Client};
use crate::helpers::{spawn_app_with, TestApp, RELAXED_THROTTLES};

const INDEX: &str = "<!doctype html><html><head><title>twofa</title></head><body></body></html>";
const SCRIPT: &str = "console.log('stand-in asset');\n";

/// A stand-in build of the SPA and a server that serves it.
pub async fn app_with_spa() -> (TestApp, TempDir) {
    let dist = tempfile::tempdir().expect("temp dir");
    std::fs::write(dist.path().join("index.html"), INDEX).expect("index.html");
    std::fs::create_dir(dist.path().join("assets")).expect("assets dir");
    std::fs::write(dist.path().join("assets/app.js"), SCRIPT).expect("app.js");
    let dir = dist.path().to_str().expect("UTF-8 path").to_owned();
    let mut env = RELAXED_THROTTLES.to_vec();
    env.push(("TWOFA_STATIC_DIR", &dir));
    (spawn_app_with(&env).await, dist)
}

fn header(resp: &Response, name: impl reqwest::header::AsHeaderName) -> Option<String> {
    resp.headers()
        .get(name)
        .map(|v| v.to_str().expect("ASCII header").to_owned())
}

/// GET then HEAD with one client; returns the GET body length and the HEAD `Content-Length`.
async fn compare(client: &Client, path: &str) -> (usize, Option<String>) {
    let get = client.get(path).await;
    let head = client
        .request(Method::HEAD, path)
        .send()
        .await
        .expect("answer");
    assert_eq!(head.status(), get.status(), "HEAD {path}");
    assert_ne!(head.status(), 405, "HEAD {path}");
    assert_eq!(
        header(&head, CONTENT_TYPE),
        header(&get, CONTENT_TYPE),
        "HEAD {path}"
    );
    for name in [
        "content-security-policy",
        "x-content-type-options",
        "cache-control",
    ] {
        assert_eq!(
            header(&head, name),
            header(&get, name),
            "HEAD {path}: {name}"
        );
    }
    let length = header(&head, CONTENT_LENGTH);
    let head_body = head.bytes().await.expect("HEAD body");
    assert!(head_body.is_empty(), "HEAD {path} sent a body");
    let get_body = get.bytes().await.expect("GET body");
    (get_body.len(), length)
}

#[tokio::test]
async fn head_answers_like_get_on_every_documented_get_endpoint() {
    // Arrange: a signed-in administrator, so the protected GETs answer 200 too.
    let (app, _dist) = app_with_spa().await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    let doc = expect_json(app.bare_client().get("/api/openapi.json").await, 200).await;
    let paths: Vec<String> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .filter(|(_, item)| item.get("get").is_some())
        .map(|(path, _)| {
            // Path parameters: the first user's id.
            let mut p = path.clone();
            while let (Some(a), Some(b)) = (p.find('{'), p.find('}')) {
                p.replace_range(a..=b, "1");
            }
            p
        })
        .collect();
    assert!(paths.len() >= 8, "GET paths: {paths:?}");

    for path in &paths {
        // Act + Assert
        compare(&app.client, path).await;
        compare(&app.bare_client(), path).await;
    }
}

#[tokio::test]
async fn head_answers_like_get_on_spa_pages_assets_docs_and_fixed_documents() {
    // Arrange
    let (app, _dist) = app_with_spa().await;
    let c = app.bare_client();

    for (path, expected) in [
        ("/", INDEX.len()),
        ("/index.html", INDEX.len()),
        ("/login", INDEX.len()),
        ("/profile/anything", INDEX.len()),
        ("/assets/app.js", SCRIPT.len()),
    ] {
        // Act
        let (get_len, head_len) = compare(&c, path).await;

        // Assert
        assert_eq!(get_len, expected, "GET {path}");
        assert_eq!(head_len, Some(expected.to_string()), "HEAD {path}");
    }
    for path in ["/api/openapi.json", "/api/docs/", "/api/health"] {
        let (get_len, head_len) = compare(&c, path).await;
        assert_eq!(head_len, Some(get_len.to_string()), "HEAD {path}");
    }
    let head = c
        .request(Method::HEAD, "/api/me")
        .send()
        .await
        .expect("answer");
    assert_eq!(head.status(), 401);
    assert!(head.bytes().await.expect("body").is_empty());
}

#[tokio::test]
async fn methods_a_path_does_not_serve_still_get_405_with_allow() {
    // Arrange
    let (app, _dist) = app_with_spa().await;
    let c = app.bare_client();

    // Act
    let head_login = c
        .request(Method::HEAD, "/api/login")
        .send()
        .await
        .expect("answer");
    let post_health = c
        .post_raw("/api/health", Some("application/json"), b"{}".to_vec())
        .await;

    // Assert: HEAD on a POST-only path is refused like GET, with no body.
    assert_eq!(head_login.status(), 405);
    assert_eq!(header(&head_login, "allow").as_deref(), Some("POST"));
    assert!(head_login.bytes().await.expect("body").is_empty());
    assert_eq!(header(&post_health, "allow").as_deref(), Some("GET, HEAD"));
    assert_error(post_health, 405, "method_not_allowed").await;
}
