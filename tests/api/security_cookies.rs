//! The session cookie: its flags and size (checklist 48, 49), the entropy of its value (46) and
//! strict adoption — an id the attacker knows never becomes the victim's session (41).

use std::collections::HashSet;

use reqwest::header::{COOKIE, ORIGIN};
use reqwest::{Method, Response};
use serde_json::json;

use crate::attack_helpers::{set_cookies, SetCookie};
use crate::client::{assert_error, expect_json, SESSION_COOKIE};
use crate::helpers::{spawn_app, spawn_app_with, STEP};

const TWELVE_HOURS: u64 = 12 * 3600;

/// The session cookie a response sets; panics unless there is exactly one.
fn session_cookie(what: &str, resp: &Response) -> SetCookie {
    let cookies: Vec<SetCookie> = set_cookies(resp.headers())
        .into_iter()
        .filter(|c| c.name.ends_with(SESSION_COOKIE))
        .collect();
    assert_eq!(
        cookies.len(),
        1,
        "{what}: session Set-Cookie headers {cookies:?}"
    );
    cookies.into_iter().next().expect("one cookie")
}

/// Flags every session cookie must carry, whatever the transport.
fn assert_flags(what: &str, cookie: &SetCookie) {
    assert_eq!(
        cookie.attr("httponly"),
        Some(None),
        "{what}: {}",
        cookie.raw
    );
    let same_site = cookie.attr("samesite").flatten().unwrap_or_default();
    assert!(
        same_site.eq_ignore_ascii_case("strict"),
        "{what}: {}",
        cookie.raw
    );
    assert_eq!(
        cookie.attr("path"),
        Some(Some("/")),
        "{what}: {}",
        cookie.raw
    );
    assert_eq!(cookie.attr("domain"), None, "{what}: {}", cookie.raw);
    if let Some(max_age) = cookie.attr("max-age").flatten() {
        let max_age: i64 = max_age.parse().expect("Max-Age is a number");
        assert!(max_age <= TWELVE_HOURS as i64, "{what}: {}", cookie.raw);
    }
    assert!(
        cookie.name.len() + cookie.value.len() < 4096,
        "{what}: cookie of {} bytes",
        cookie.name.len() + cookie.value.len()
    );
}

#[tokio::test]
async fn session_cookies_are_httponly_samesite_strict_host_wide_and_small() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let c = &app.client;
    let mut seen = Vec::new();

    // Act: every answer that sets the session cookie.
    let login = c.login(name, pw).await;
    seen.push(("login", session_cookie("login", &login)));
    let id = expect_json(login, 200).await["challenge_id"]
        .as_str()
        .expect("challenge_id")
        .to_owned();
    let challenge = c
        .challenge_with_code(&id, &app.code_now(&user.secret))
        .await;
    seen.push(("challenge", session_cookie("challenge", &challenge)));
    expect_json(challenge, 200).await;
    app.advance_clock(STEP).await;
    let disable = c.disable_with_code(pw, &app.code_now(&user.secret)).await;
    seen.push(("disable", session_cookie("disable", &disable)));
    expect_json(disable, 200).await;
    app.advance_clock(STEP).await;
    let secret = expect_json(c.enable(pw).await, 200).await["secret"]
        .as_str()
        .expect("secret")
        .replace(' ', "");
    let verify = c.verify(&app.code_now(&secret)).await;
    seen.push(("verify", session_cookie("verify", &verify)));
    expect_json(verify, 200).await;

    // Assert
    for (what, cookie) in &seen {
        assert_eq!(cookie.name, SESSION_COOKIE, "{what}: {}", cookie.raw);
        assert_flags(what, cookie);
    }
}

#[tokio::test]
async fn over_https_the_cookie_is_secure_and_host_prefixed() {
    // Arrange
    let origin = "https://backup.example.com";
    let app = spawn_app_with(&[("TWOFA_PUBLIC_ORIGIN", origin)]).await;
    let raw = app.bare_client();
    let setup = raw
        .request(Method::POST, "/api/setup")
        .header(ORIGIN, origin)
        .json(&json!({"username": "alice", "password": "correct horse battery staple 42"}))
        .send()
        .await
        .expect("answer");
    expect_json(setup, 201).await;

    // Act
    let login = raw
        .request(Method::POST, "/api/login")
        .header(ORIGIN, origin)
        .json(&json!({"username": "alice", "password": "correct horse battery staple 42"}))
        .send()
        .await
        .expect("answer");

    // Assert
    let cookie = session_cookie("login over https", &login);
    assert_eq!(
        cookie.name,
        format!("__Host-{SESSION_COOKIE}"),
        "{}",
        cookie.raw
    );
    assert_eq!(cookie.attr("secure"), Some(None), "{}", cookie.raw);
    assert_flags("login over https", &cookie);
    expect_json(login, 200).await;
}

#[tokio::test]
async fn session_ids_are_long_unique_and_share_no_prefix() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    let mut ids = Vec::new();

    // Act
    for _ in 0..60 {
        let resp = app
            .bare_client()
            .login(&user.username, &user.password)
            .await;
        ids.push(session_cookie("login", &resp).value);
        expect_json(resp, 200).await;
    }

    // Assert: no repeats, no shared structure, and length × log2(alphabet) ≥ 128 bits.
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a session id repeated");
    let mut sorted = ids.clone();
    sorted.sort();
    let longest_shared = sorted
        .windows(2)
        .map(|w| {
            w[0].bytes()
                .zip(w[1].bytes())
                .take_while(|(a, b)| a == b)
                .count()
        })
        .max()
        .unwrap_or(0);
    assert!(
        longest_shared <= 4,
        "two ids share a {longest_shared}-character prefix"
    );
    let alphabet: HashSet<char> = ids.iter().flat_map(|id| id.chars()).collect();
    let shortest = ids.iter().map(String::len).min().unwrap_or(0);
    let bits = shortest as f64 * (alphabet.len() as f64).log2();
    assert!(
        bits >= 128.0,
        "ids of {shortest} characters over {} symbols hold {bits:.0} bits",
        alphabet.len()
    );
}

#[tokio::test]
async fn a_pre_login_cookie_planted_by_an_attacker_never_becomes_the_victims_session() {
    // Arrange: the attacker knows the password (phished) but not the second factor. He runs the
    // password step himself and plants that pre-2FA cookie in the victim's browser.
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let attacker = app.new_client();
    let challenge = attacker.start_challenge(name, pw).await;
    let planted = attacker.session_cookie().expect("a pre-2FA cookie");

    // Act: the victim's browser, carrying the planted cookie, completes the second factor.
    let victim = app
        .bare_client()
        .request(Method::POST, "/api/login/challenge")
        .header(ORIGIN, app.origin())
        .header(COOKIE, format!("{SESSION_COOKIE}={planted}"))
        .json(&json!({"challenge_id": challenge, "code": app.code_now(&user.secret)}))
        .send()
        .await
        .expect("answer");

    // Assert: the victim gets a new id, and the planted one grants nothing.
    let issued = session_cookie("challenge", &victim);
    assert_ne!(issued.value, planted, "the planted id was kept");
    expect_json(victim, 200).await;
    assert_error(
        app.cookie_client(&planted).me().await,
        401,
        "unauthenticated",
    )
    .await;
    assert_error(attacker.me().await, 401, "unauthenticated").await;
    expect_json(app.cookie_client(&issued.value).me().await, 200).await;
}

#[tokio::test]
async fn an_invented_session_id_is_ignored_and_replaced_at_login() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    let invented = "A".repeat(64);

    // Act
    let login = app
        .bare_client()
        .request(Method::POST, "/api/login")
        .header(ORIGIN, app.origin())
        .header(COOKIE, format!("{SESSION_COOKIE}={invented}"))
        .json(&json!({"username": user.username, "password": user.password}))
        .send()
        .await
        .expect("answer");

    // Assert
    let issued = session_cookie("login", &login);
    assert_ne!(issued.value, invented);
    expect_json(login, 200).await;
    assert_error(
        app.cookie_client(&invented).me().await,
        401,
        "unauthenticated",
    )
    .await;
}
