//! Enrolment and challenge material as an attacker sees it: the client cannot choose the TOTP
//! parameters (checklist 5, 9), secrets are fresh 160-bit base32 (7), nothing returns them or the
//! recovery codes after enrolment (13), client-supplied time is ignored (15), and challenge ids
//! are unguessable and carry no user data (25).

use std::collections::HashSet;

use reqwest::header::DATE;
use reqwest::Method;
use serde_json::json;

use crate::attack_helpers::outcome;
use crate::client::expect_json;
use crate::helpers::{spawn_app, STEP};
use crate::tools::{parse_otpauth, totp_at};

#[tokio::test]
async fn the_client_cannot_choose_the_totp_parameters() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;

    // Act
    let mut refused = Vec::new();
    for extra in [
        json!({"algorithm": "SHA256"}),
        json!({"digits": 8}),
        json!({"period": 60}),
        json!({"secret": "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"}),
    ] {
        let mut body = json!({"password": user.password});
        body.as_object_mut()
            .expect("object")
            .extend(extra.as_object().expect("object").clone());
        refused.push((
            extra.clone(),
            outcome(app.client.post("/api/2fa/enable", body).await).await,
        ));
    }
    let plain = expect_json(app.client.enable(&user.password).await, 200).await;

    // Assert
    for (extra, got) in refused {
        assert_eq!(got, "400 invalid_request", "{extra}");
    }
    let uri = plain["otpauth_uri"].as_str().expect("otpauth_uri");
    let parsed = parse_otpauth(uri);
    assert_eq!(
        (
            parsed.algorithm.as_str(),
            parsed.digits.as_str(),
            parsed.period.as_str()
        ),
        ("SHA1", "6", "30"),
        "{uri}"
    );
    assert!(
        uri.contains("&algorithm=SHA1&") || uri.contains("?algorithm=SHA1&"),
        "{uri}"
    );
}

#[tokio::test]
async fn every_enable_draws_a_fresh_160_bit_secret() {
    // Arrange
    let app = spawn_app().await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;

    // Act
    let mut secrets = Vec::new();
    for _ in 0..20 {
        let body = expect_json(app.client.enable(&user.password).await, 200).await;
        secrets.push(body["secret"].as_str().expect("secret").replace(' ', ""));
    }

    // Assert: 32 characters of unpadded upper-case base32 (20 bytes), never twice the same.
    for s in &secrets {
        assert_eq!(s.len(), 32, "{s}");
        assert!(
            s.bytes()
                .all(|b| b.is_ascii_uppercase() || (b'2'..=b'7').contains(&b)),
            "{s}"
        );
    }
    let unique: HashSet<&String> = secrets.iter().collect();
    assert_eq!(unique.len(), secrets.len(), "a secret repeated");
}

#[tokio::test]
async fn no_read_endpoint_returns_the_secret_or_a_recovery_code_after_enrolment() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    app.client
        .sign_in(&user.username, &user.password, &app.code_now(&user.secret))
        .await;

    // Act
    let mut pages = Vec::new();
    for path in [
        "/api/me",
        "/api/me/events",
        "/api/me/sessions",
        "/api/health",
    ] {
        let resp = app.client.get(path).await;
        assert_eq!(resp.status(), 200, "{path}");
        pages.push((path, resp.text().await.expect("body")));
    }

    // Assert
    let mut needles = vec![user.secret.clone(), user.secret.to_ascii_lowercase()];
    for code in &user.recovery_codes {
        needles.push(code.clone());
        needles.push(code.replace('-', ""));
    }
    for (path, body) in &pages {
        for needle in &needles {
            assert!(!body.contains(needle.as_str()), "{path} returns {needle}");
        }
    }
}

#[tokio::test]
async fn client_supplied_time_is_ignored() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let an_hour_ago = app.now() - 3600;
    let old_code = totp_at(&user.secret, an_hour_ago);
    let jar = app.new_client();

    // Act: a code for an hour ago, with a Date header and a query saying it is an hour ago.
    let id = jar.start_challenge(name, pw).await;
    let stale = jar
        .request(
            Method::POST,
            &format!("/api/login/challenge?time={an_hour_ago}&timestamp={an_hour_ago}"),
        )
        .header(DATE, "Thu, 01 Jan 2015 00:00:00 GMT")
        .json(&json!({"challenge_id": id, "code": old_code}))
        .send()
        .await
        .expect("answer");
    let stale = outcome(stale).await;
    let with_field = jar
        .post(
            "/api/login/challenge",
            json!({"challenge_id": id, "code": old_code, "timestamp": an_hour_ago}),
        )
        .await;
    let with_field = outcome(with_field).await;
    let current = jar
        .request(Method::POST, "/api/login/challenge")
        .header(DATE, "Thu, 01 Jan 2015 00:00:00 GMT")
        .json(&json!({"challenge_id": id, "code": app.code_now(&user.secret)}))
        .send()
        .await
        .expect("answer");

    // Assert
    assert_eq!(stale, "401 invalid_code");
    assert_eq!(with_field, "400 invalid_request");
    expect_json(current, 200).await;
    app.advance_clock(STEP).await;
}

#[tokio::test]
async fn challenge_ids_are_long_random_and_name_no_user() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;

    // Act
    let mut ids = Vec::new();
    for _ in 0..40 {
        ids.push(
            app.new_client()
                .start_challenge(&user.username, &user.password)
                .await,
        );
    }

    // Assert: ≥ 128 bits in any of the usual encodings, unique, and opaque.
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a challenge id repeated");
    let alphabet: HashSet<char> = ids.iter().flat_map(|id| id.chars()).collect();
    let shortest = ids.iter().map(String::len).min().unwrap_or(0);
    let bits = shortest as f64 * (alphabet.len() as f64).log2();
    assert!(
        bits >= 128.0,
        "{shortest} characters over {} symbols",
        alphabet.len()
    );
    for id in &ids {
        assert!(!id.contains(&user.username), "{id} names the user");
        assert!(!id.contains('.'), "{id} looks like a JWT");
    }
}
