//! Response headers on every answer, errors included (checklist 10, 55), `Allow` on 405 and no
//! state change over safe methods (52), and no CORS grant to a foreign origin (53).

use reqwest::header::{CONTENT_TYPE, COOKIE, ORIGIN};
use reqwest::{Method, Response};
use serde_json::json;

use crate::attack_helpers::header;
use crate::client::{assert_error, expect_json, SESSION_COOKIE};
use crate::helpers::{spawn_app, spawn_app_with, STEP};

/// Paths whose answers must never be stored by a cache (OWASP Session Management CS).
const NO_STORE_PREFIXES: [&str; 4] = ["/api/login", "/api/2fa/", "/api/me", "/api/logout"];

/// Asserts the headers every API response carries; `path` decides the cache rule.
fn assert_api_headers(what: &str, path: &str, resp: &Response) {
    let h = resp.headers();
    let get = |name: &str| header(h, name);
    assert_eq!(
        get("x-content-type-options").as_deref(),
        Some("nosniff"),
        "{what}"
    );
    let csp = get("content-security-policy").unwrap_or_default();
    assert!(csp.contains("default-src 'none'"), "{what}: CSP {csp:?}");
    assert!(
        csp.contains("frame-ancestors 'none'"),
        "{what}: CSP {csp:?}"
    );
    let referrer = get("referrer-policy").unwrap_or_default();
    assert!(
        referrer == "no-referrer" || referrer == "strict-origin-when-cross-origin",
        "{what}: Referrer-Policy {referrer:?}"
    );
    assert_eq!(get("x-powered-by"), None, "{what}");
    if let Some(server) = get("server") {
        assert!(
            !server.chars().any(|c| c.is_ascii_digit()),
            "{what}: Server {server:?}"
        );
    }
    if resp.status() != 204 {
        let ct = get("content-type").unwrap_or_default();
        assert!(
            ct.starts_with("application/json"),
            "{what}: Content-Type {ct:?}"
        );
    }
    if NO_STORE_PREFIXES.iter().any(|p| path.starts_with(p)) {
        let cache = get("cache-control").unwrap_or_default();
        assert!(
            cache.contains("no-store"),
            "{what}: Cache-Control {cache:?}"
        );
    }
}

#[tokio::test]
async fn every_api_response_carries_the_security_headers_errors_included() {
    // Arrange: the password throttle at 2 so a 429 is cheap to reach.
    let app = spawn_app_with(&[("TWOFA_LOGIN_FAILURE_LIMIT", "2")]).await;
    let user = app.setup_user().await;
    let browser = app.new_client();
    expect_json(browser.login(&user.username, &user.password).await, 200).await;
    let session = browser
        .session_cookie()
        .expect("a session cookie after login");
    let anonymous = app.new_client();
    let big = format!(
        r#"{{"username":"{}","password":"x"}}"#,
        "a".repeat(64 * 1024)
    );

    // Act: one response per status the API produces.
    let mut seen: Vec<(String, &str, Response)> = Vec::new();
    let mut add = |what: &str, path: &'static str, resp: Response| {
        seen.push((format!("{what} ({})", resp.status()), path, resp));
    };
    add(
        "health",
        "/api/health",
        app.bare_client().get("/api/health").await,
    );
    add("me", "/api/me", browser.me().await);
    add(
        "enable",
        "/api/2fa/enable",
        browser.enable(&user.password).await,
    );
    add("no session", "/api/me", anonymous.me().await);
    add(
        "bad body",
        "/api/login",
        anonymous.post("/api/login", json!({"username": 1})).await,
    );
    add(
        "cross origin",
        "/api/logout",
        app.bare_client()
            .request(Method::POST, "/api/logout")
            .header(COOKIE, format!("{SESSION_COOKIE}={session}"))
            .header(ORIGIN, "https://evil.example")
            .send()
            .await
            .expect("answer"),
    );
    add(
        "unknown path",
        "/api/nope",
        anonymous.get("/api/nope").await,
    );
    add(
        "wrong method",
        "/api/2fa/disable",
        anonymous.get("/api/2fa/disable").await,
    );
    add(
        "too large",
        "/api/login",
        anonymous
            .post_raw("/api/login", Some("application/json"), big.into_bytes())
            .await,
    );
    add(
        "text/plain",
        "/api/login",
        anonymous
            .post_raw("/api/login", Some("text/plain"), b"{}".to_vec())
            .await,
    );
    add(
        "setup again",
        "/api/setup",
        anonymous.setup("mallory", &user.password).await,
    );
    for _ in 0..2 {
        anonymous.login("ghost", "wrong password 000").await;
    }
    add(
        "throttled",
        "/api/login",
        anonymous.login("ghost", "wrong password 000").await,
    );
    add("logout", "/api/logout", browser.logout().await);

    // Assert
    let statuses: Vec<u16> = seen.iter().map(|(_, _, r)| r.status().as_u16()).collect();
    for expected in [200, 204, 400, 401, 403, 404, 405, 409, 413, 415, 429] {
        assert!(
            statuses.contains(&expected),
            "no {expected} among {statuses:?}"
        );
    }
    for (what, path, resp) in &seen {
        assert_api_headers(what, path, resp);
    }
}

#[tokio::test]
async fn the_enrolment_response_is_not_cacheable_and_links_nowhere() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;

    // Act
    let resp = app.client.enable(&user.password).await;

    // Assert
    let cache = header(resp.headers(), "cache-control").unwrap_or_default();
    assert!(cache.contains("no-store"), "Cache-Control {cache:?}");
    let body = resp.text().await.expect("body");
    // The SVG namespace is a name, not an address a renderer fetches.
    let body = body.replace(r#"xmlns=\"http://www.w3.org/2000/svg\""#, "");
    assert!(
        !body.contains("http://") && !body.contains("https://"),
        "the secret could reach a third party: {body}"
    );
}

#[tokio::test]
async fn hsts_is_sent_when_the_public_origin_is_https() {
    // Arrange
    let origin = "https://backup.example.com";
    let app = spawn_app_with(&[("TWOFA_PUBLIC_ORIGIN", origin)]).await;

    // Act
    let ok = app.bare_client().get("/api/health").await;
    let missing = app.bare_client().get("/api/nope").await;

    // Assert
    for resp in [ok, missing] {
        let hsts = header(resp.headers(), "strict-transport-security").unwrap_or_default();
        let max_age: u64 = hsts
            .split(';')
            .find_map(|p| p.trim().strip_prefix("max-age="))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{}: HSTS {hsts:?}", resp.status()));
        assert!(max_age >= 31_536_000, "HSTS max-age {max_age}");
        assert!(hsts.contains("includeSubDomains"), "HSTS {hsts:?}");
    }
}

#[tokio::test]
async fn the_spa_page_has_a_strict_csp_and_isolates_its_window() {
    // Arrange: a stand-in build of the SPA.
    let dist = tempfile::tempdir().expect("temp dir");
    let index = "<!doctype html><html><head><title>twofa</title></head><body></body></html>";
    std::fs::write(dist.path().join("index.html"), index).expect("index.html");
    let dir = dist.path().to_str().expect("UTF-8 path");
    let app = spawn_app_with(&[("TWOFA_STATIC_DIR", dir)]).await;

    // Act
    let resp = app.bare_client().get("/").await;

    // Assert
    assert_eq!(resp.status(), 200);
    let h = resp.headers();
    let csp = header(h, "content-security-policy").unwrap_or_default();
    for directive in [
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(directive), "SPA CSP {csp:?} lacks {directive}");
    }
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src") || d.starts_with("default-src"))
        .unwrap_or_default();
    assert!(!script_src.contains("'unsafe-inline'"), "SPA CSP {csp:?}");
    assert_eq!(
        header(h, "cross-origin-opener-policy").as_deref(),
        Some("same-origin")
    );
    assert_eq!(
        header(h, "x-content-type-options").as_deref(),
        Some("nosniff")
    );
    let ct = header(h, CONTENT_TYPE.as_str()).unwrap_or_default();
    assert!(ct.starts_with("text/html"), "Content-Type {ct:?}");
}

#[tokio::test]
async fn a_wrong_method_gets_405_with_allow() {
    // Arrange
    let app = spawn_app().await;
    let cases = [
        (Method::GET, "/api/2fa/disable", "POST"),
        (Method::PUT, "/api/2fa/enable", "POST"),
        (Method::DELETE, "/api/login", "POST"),
        (Method::GET, "/api/login/challenge", "POST"),
        (Method::POST, "/api/me", "GET"),
        // Paths with an id answer the same as their documented pattern.
        (Method::GET, "/api/admin/users/1/disable", "POST"),
        (Method::PUT, "/api/admin/users/17/2fa/reset", "POST"),
        (Method::POST, "/api/admin/users/1/events", "GET"),
    ];

    for (method, path, allowed) in cases {
        // Act
        let resp = app
            .bare_client()
            .request(method.clone(), path)
            .send()
            .await
            .expect("answer");

        // Assert
        let allow = header(resp.headers(), "allow").unwrap_or_default();
        let methods: Vec<&str> = allow.split(',').map(str::trim).collect();
        assert!(
            methods.contains(&allowed),
            "{method} {path}: Allow {allow:?}"
        );
        assert!(
            !methods.contains(&method.as_str()),
            "{method} {path}: Allow {allow:?}"
        );
        assert_error(resp, 405, "method_not_allowed").await;
    }
}

#[tokio::test]
async fn safe_methods_change_nothing_even_with_valid_credentials_in_the_query() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let jar = app.new_client();
    let challenge = jar.start_challenge(name, pw).await;
    let code = app.code_now(&user.secret);
    let query = format!("challenge_id={challenge}&code={code}&password={pw}");

    // Act: every safe method on every state-changing path, carrying what a POST would need.
    for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
        for path in [
            "/api/login/challenge",
            "/api/2fa/disable",
            "/api/2fa/enable",
            "/api/2fa/recovery-codes",
            "/api/logout",
        ] {
            let resp = jar
                .request(method.clone(), &format!("{path}?{query}"))
                .send()
                .await
                .expect("answer");
            let status = resp.status().as_u16();
            assert!(
                status == 405 || (method == Method::OPTIONS && (status == 200 || status == 204)),
                "{method} {path} -> {status}"
            );
        }
    }

    // Assert: the challenge and the code are unspent, and 2FA is still on.
    let body = expect_json(jar.challenge_with_code(&challenge, &code).await, 200).await;
    assert_eq!(body["status"], "authenticated");
    let me = expect_json(jar.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], true, "{me}");
    assert_eq!(me["two_factor"]["recovery_codes_remaining"], 10, "{me}");
    app.advance_clock(STEP).await;
}

#[tokio::test]
async fn no_cors_grant_goes_to_a_foreign_origin() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    let origins = [
        "https://evil.example",
        "null",
        &format!("{}.evil.example", app.origin()),
    ];

    for origin in origins {
        // Act
        let preflight = app
            .bare_client()
            .request(Method::OPTIONS, "/api/login")
            .header(ORIGIN, origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
            .await
            .expect("answer");
        let simple = app
            .bare_client()
            .request(Method::POST, "/api/login")
            .header(ORIGIN, origin)
            .json(&json!({"username": user.username, "password": user.password}))
            .send()
            .await
            .expect("answer");

        // Assert
        for resp in [preflight, simple] {
            let h = resp.headers();
            let acao = header(h, "access-control-allow-origin");
            assert!(
                acao.is_none() || acao.as_deref() == Some(app.origin().as_str()),
                "{origin}: ACAO {acao:?}"
            );
            assert_ne!(
                header(h, "access-control-allow-credentials").as_deref(),
                Some("true"),
                "{origin} may read credentialed answers"
            );
        }
    }
}
