//! The Borg Backup Server 2FA guide, step by step, as a user with an authenticator app does it.

use reqwest::header::CACHE_CONTROL;

use crate::client::{assert_error, expect_json};
use crate::helpers::{aligned_now, spawn_app_logging_debug, STEP};
use crate::tools::{decode_qr_svg, parse_otpauth, totp_at};

#[tokio::test]
async fn the_guide_works_end_to_end_with_an_authenticator_app() {
    // Arrange: first run, the admin logs in with the password only.
    let app = spawn_app_logging_debug().await;
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    let browser = &app.client;
    let login = expect_json(browser.login(name, pw).await, 200).await;
    assert_eq!(login["status"], "authenticated");
    assert_eq!(login["user"]["username"], name);

    // Enable: the QR code, read by a camera, carries the same secret the page shows.
    let pending = expect_json(browser.enable(pw).await, 200).await;
    assert_eq!(pending["expires_in"], 600);
    let scanned = decode_qr_svg(pending["qr_svg"].as_str().expect("qr_svg"));
    assert_eq!(
        scanned, pending["otpauth_uri"],
        "QR payload differs from otpauth_uri"
    );
    let uri = parse_otpauth(&scanned);
    assert_eq!(uri.label, format!("Borg Backup Server:{name}"));
    assert_eq!(uri.issuer, "Borg Backup Server");
    assert_eq!((uri.algorithm.as_str(), uri.digits.as_str()), ("SHA1", "6"));
    assert_eq!(uri.period, "30");
    assert_eq!(uri.secret.len(), 32, "160-bit secret in unpadded base32");
    assert_eq!(
        uri.secret,
        pending["secret"].as_str().unwrap().replace(' ', "")
    );
    let me = expect_json(browser.me().await, 200).await;
    assert_eq!(
        me["two_factor"]["enabled"], false,
        "pending is not enabled: {me}"
    );

    // Verify with the app's code: ten recovery codes, never cached.
    let resp = browser.verify(&totp_at(&uri.secret, app.now())).await;
    assert_eq!(resp.headers().get(CACHE_CONTROL).unwrap(), "no-store");
    let codes = expect_json(resp, 200).await["recovery_codes"].clone();
    let codes: Vec<String> = serde_json::from_value(codes).expect("10 strings");
    assert_eq!(codes.len(), 10);
    let me = expect_json(browser.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], true);
    assert_eq!(me["two_factor"]["recovery_codes_remaining"], 10);

    // Logout, then the password alone is not enough.
    assert_eq!(browser.logout().await.status(), 204);
    assert_error(browser.me().await, 401, "unauthenticated").await;
    let challenge = browser.start_challenge(name, pw).await;
    assert_error(browser.me().await, 401, "unauthenticated").await;

    // The challenge with the next code opens the session.
    app.advance_clock(STEP).await;
    let code = app.code_now(&uri.secret);
    let ok = expect_json(browser.challenge_with_code(&challenge, &code).await, 200).await;
    assert_eq!(ok["status"], "authenticated");
    assert_eq!(ok["recovery_codes_remaining"], 10);
    assert_eq!(
        expect_json(browser.me().await, 200).await["user"]["username"],
        name
    );

    // The same code on a new login is a replay.
    let laptop = app.new_client();
    let challenge = laptop.start_challenge(name, pw).await;
    let replay = laptop.challenge_with_code(&challenge, &code).await;
    assert_error(replay, 401, "totp_replayed").await;

    // A recovery code typed in lower case without dashes works once.
    let recovery = codes[0].to_lowercase().replace('-', "");
    let challenge = laptop.start_challenge(name, pw).await;
    let ok = laptop
        .challenge_with_recovery_code(&challenge, &recovery)
        .await;
    assert_eq!(expect_json(ok, 200).await["recovery_codes_remaining"], 9);
    let phone = app.new_client();
    let challenge = phone.start_challenge(name, pw).await;
    let again = phone
        .challenge_with_recovery_code(&challenge, &recovery)
        .await;
    assert_error(again, 401, "invalid_code").await;

    // More sessions: a mobile app with a bearer token and a second browser.
    app.advance_clock(STEP).await;
    let mobile = app.bare_client();
    let pre = expect_json(mobile.login_for_token(name, pw).await, 200).await;
    assert!(
        pre.get("token").is_none(),
        "no token before the second factor: {pre}"
    );
    let challenge = pre["challenge_id"].as_str().expect("challenge_id");
    let granted = mobile
        .challenge_for_token(challenge, &app.code_now(&uri.secret))
        .await;
    let token = expect_json(granted, 200).await["token"]
        .as_str()
        .expect("bearer token")
        .to_owned();
    let mobile = app.bearer_client(&token);
    expect_json(mobile.me().await, 200).await;
    app.advance_clock(STEP).await;
    phone.sign_in(name, pw, &app.code_now(&uri.secret)).await;

    // Act: disable with a current code from the laptop.
    app.advance_clock(STEP).await;
    let off = laptop
        .disable_with_code(pw, &app.code_now(&uri.secret))
        .await;

    // Assert: 2FA is off and every other session, bearer included, has ended.
    let off = expect_json(off, 200).await;
    assert_eq!(off["two_factor"]["enabled"], false, "{off}");
    assert_error(phone.me().await, 401, "unauthenticated").await;
    assert_error(mobile.me().await, 401, "unauthenticated").await;
    let me = expect_json(laptop.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], false);
    let login = expect_json(app.new_client().login(name, pw).await, 200).await;
    assert_eq!(
        login["status"], "authenticated",
        "no challenge once 2FA is off"
    );

    // Nothing secret reached the server log.
    let log = app.server_log();
    assert!(
        log.contains("/api/login/challenge"),
        "the check reads the request log"
    );
    let secrets = [pw, uri.secret.as_str(), token.as_str()];
    for secret in secrets.into_iter().chain(codes.iter().map(String::as_str)) {
        assert!(!log.contains(secret), "a secret appears in the server log");
    }
    for code in &codes {
        let normalised = code.replace('-', "");
        assert!(
            !log.to_uppercase().contains(&normalised),
            "a recovery code is logged"
        );
    }
}
