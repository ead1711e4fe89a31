//! Paths outside /api that the file service used to refuse with a plain-text 400 (dotfiles,
//! `..` written or percent-encoded, encoded separators, NUL) answer a JSON 404 `not_found`
//! with the usual security headers, whether or not such a file exists in the SPA build.
//! Requests are written byte for byte: an HTTP client library would normalise these paths.

use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::head_requests::app_with_spa;
use crate::helpers::spawn_app;

const ODD: &[&str] = &[
    "/.env",
    "/.git/config",
    "/.well-known/security.txt",
    "/assets/.env",
    "/%2e%2e/",
    "/%2E%2E/%2e%2e/etc/passwd",
    "/..%2f..%2fetc%2fpasswd",
    "/a/../../etc/passwd",
    "/%2e/env",
    "/a%2fb",
    "/a%5c..%5cb",
    "/%00",
    "/index.html%00.js",
];

pub struct Raw {
    pub status: u16,
    pub head: String,
    pub body: Vec<u8>,
}

/// One HTTP/1.1 GET with exactly this request target.
pub async fn raw_get(base: &url::Url, target: &str) -> Raw {
    let addr = format!(
        "{}:{}",
        base.host_str().expect("host"),
        base.port().expect("port")
    );
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let request = format!("GET {target} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .expect("send request");
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.expect("read answer");
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("end of headers");
    let head = String::from_utf8_lossy(&answer[..split]).to_lowercase();
    let status = head
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status code");
    Raw {
        status,
        head,
        body: answer[split + 4..].to_vec(),
    }
}

fn assert_json_not_found(target: &str, raw: &Raw) {
    assert_eq!(raw.status, 404, "{target}: {}", raw.head);
    assert!(
        raw.head.contains("\r\ncontent-type: application/json"),
        "{target}: {}",
        raw.head
    );
    for header in [
        "\r\nx-content-type-options: nosniff",
        "\r\ncontent-security-policy: ",
        "\r\nx-frame-options: deny",
    ] {
        assert!(
            raw.head.contains(header),
            "{target} lacks {header}: {}",
            raw.head
        );
    }
    let body: Value = serde_json::from_slice(&raw.body)
        .unwrap_or_else(|e| panic!("{target}: body is not JSON ({e})"));
    assert_eq!(body["error"]["code"], "not_found", "{target}: {body}");
    assert!(body["error"]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
}

#[tokio::test]
async fn dotfiles_and_traversal_get_a_json_404_beside_a_built_spa() {
    // Arrange: the build even holds a `.env`, which must stay unreachable.
    let (app, dist) = app_with_spa().await;
    std::fs::write(dist.path().join(".env"), "SECRET=1\n").expect(".env");
    std::fs::write(dist.path().join("assets/.env"), "SECRET=2\n").expect("assets/.env");

    for target in ODD {
        // Act
        let raw = raw_get(&app.base, target).await;

        // Assert
        assert_json_not_found(target, &raw);
    }
    // Ordinary paths still reach the SPA, including odd-looking but plain ones.
    for target in ["/", "/login", "/assets/app.js", "/%ff", "/a.b/c"] {
        let raw = raw_get(&app.base, target).await;
        assert_eq!(raw.status, 200, "{target}: {}", raw.head);
    }
}

#[tokio::test]
async fn dotfiles_and_traversal_get_a_json_404_without_a_built_spa() {
    // Arrange: no SPA build, so other paths get the "not built" notice page.
    let app = spawn_app().await;

    for target in ODD {
        // Act
        let raw = raw_get(&app.base, target).await;

        // Assert
        assert_json_not_found(target, &raw);
    }
    let notice = raw_get(&app.base, "/login").await;
    assert_eq!(notice.status, 200);
    assert!(
        notice.head.contains("content-type: text/plain"),
        "{}",
        notice.head
    );
}

#[tokio::test]
async fn odd_api_paths_get_a_json_404_too() {
    // Arrange
    let app = spawn_app().await;

    for target in [
        "/api/.env",
        "/api/%2e%2e/health",
        "/api/health%00",
        "/api/a%2fb",
    ] {
        // Act
        let raw = raw_get(&app.base, target).await;

        // Assert
        assert_json_not_found(target, &raw);
    }
}
