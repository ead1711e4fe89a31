//! Nothing secret reaches the server log (checklist 38, 68): a run through every flow at debug
//! level, then a search of the whole log for each password, secret, code, recovery code, session
//! id, bearer token and challenge id the run used.

use reqwest::header::{COOKIE, ORIGIN};
use reqwest::Method;

use crate::attack_helpers::outcome;
use crate::client::{expect_json, Client, SESSION_COOKIE};
use crate::helpers::{aligned_now, spawn_app_with, TestApp, STEP};
use crate::tools::wrong_code;

/// What a full run handed to the server or got back from it, each a thing no log may hold.
#[derive(Default)]
pub struct Secrets {
    /// Passwords, base32 secrets, recovery codes, session ids, tokens, challenge ids.
    pub text: Vec<(String, String)>,
    /// Six-digit TOTP codes, searched as whole numbers so timestamps do not match by chance.
    pub codes: Vec<String>,
}

impl Secrets {
    fn add(&mut self, what: &str, value: &str) {
        assert!(!value.is_empty(), "{what} is empty");
        self.text.push((what.to_owned(), value.to_owned()));
    }

    fn cookie(&mut self, what: &str, client: &Client) {
        let id = client
            .session_cookie()
            .unwrap_or_else(|| panic!("no session cookie after {what}"));
        self.add(what, &id);
    }

    fn recovery_code(&mut self, code: &str) {
        self.add("recovery code", code);
        self.add("recovery code without dashes", &code.replace('-', ""));
        self.add("recovery code in lower case", &code.to_ascii_lowercase());
    }
}

/// RFC 4648 base32 without padding, for the raw bytes of the secret.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut acc, mut bits, mut out) = (0u32, 0, Vec::new());
    for c in text.bytes() {
        let v = ALPHABET
            .iter()
            .position(|a| *a == c)
            .expect("base32 character");
        acc = (acc << 5) | v as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn secret_forms(secrets: &mut Secrets, secret: &str) {
    secrets.add("secret", secret);
    secrets.add("secret in lower case", &secret.to_ascii_lowercase());
    let bytes = base32_decode(secret);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    secrets.add("secret bytes in hex", &hex);
    secrets.add("secret bytes in HEX", &hex.to_ascii_uppercase());
    let grouped: Vec<String> = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect();
    secrets.add("grouped secret", &grouped.join(" "));
}

async fn challenge_id(client: &Client, name: &str, pw: &str, secrets: &mut Secrets) -> String {
    let id = client.start_challenge(name, pw).await;
    secrets.add("challenge id", &id);
    id
}

/// Every flow once: setup, login, enrolment (with a failed verify), login with a wrong and a
/// right code, a replay, a bearer token, a recovery-code login, regeneration, a cross-origin
/// refusal, an account lock and disable. Returns what the run used.
pub async fn run_every_flow(app: &TestApp) -> Secrets {
    let mut s = Secrets::default();
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    let (name, pw) = (user.username.as_str(), user.password.as_str());
    s.add("password", pw);
    let wrong_pw = "Tr0ub4dor&3 is not it";
    s.add("wrong password", wrong_pw);
    let c = app.new_client();

    expect_json(c.login(name, wrong_pw).await, 401).await;
    expect_json(c.login(name, pw).await, 200).await;
    s.cookie("password-only session", &c);
    let pending = expect_json(c.enable(pw).await, 200).await;
    let secret = pending["secret"].as_str().expect("secret").replace(' ', "");
    secret_forms(&mut s, &secret);
    let bad = wrong_code(&secret, app.now());
    s.codes.push(bad.clone());
    assert_eq!(outcome(c.verify(&bad).await).await, "401 invalid_code");
    let enrol_code = app.code_now(&secret);
    s.codes.push(enrol_code.clone());
    let codes = expect_json(c.verify(&enrol_code).await, 200).await;
    let recovery: Vec<String> = codes["recovery_codes"]
        .as_array()
        .expect("recovery_codes")
        .iter()
        .map(|v| v.as_str().expect("code").to_owned())
        .collect();
    for code in &recovery {
        s.recovery_code(code);
    }
    s.cookie("session after verify", &c);
    assert_eq!(c.logout().await.status(), 204);

    // A replay of the enrolment code, a wrong code, then the right one.
    let id = challenge_id(&c, name, pw, &mut s).await;
    s.cookie("pre-2FA session", &c);
    assert_eq!(
        outcome(c.challenge_with_code(&id, &enrol_code).await).await,
        "401 totp_replayed"
    );
    app.advance_clock(STEP).await;
    let wrong = wrong_code(&secret, app.now());
    s.codes.push(wrong.clone());
    assert_eq!(
        outcome(c.challenge_with_code(&id, &wrong).await).await,
        "401 invalid_code"
    );
    let code = app.code_now(&secret);
    s.codes.push(code.clone());
    expect_json(c.challenge_with_code(&id, &code).await, 200).await;
    s.cookie("full session", &c);

    // A cross-origin write is refused.
    let session = c.session_cookie().expect("session cookie");
    let evil = app
        .bare_client()
        .request(Method::POST, "/api/logout")
        .header(COOKIE, format!("{SESSION_COOKIE}={session}"))
        .header(ORIGIN, "https://evil.example");
    assert_eq!(
        outcome(evil.send().await.expect("answer")).await,
        "403 cross_origin"
    );

    // A bearer token.
    app.advance_clock(STEP).await;
    let mobile = app.bare_client();
    let pre = expect_json(mobile.login_for_token(name, pw).await, 200).await;
    let token_challenge = pre["challenge_id"]
        .as_str()
        .expect("challenge_id")
        .to_owned();
    s.add("token challenge id", &token_challenge);
    let code = app.code_now(&secret);
    s.codes.push(code.clone());
    let granted = expect_json(
        mobile.challenge_for_token(&token_challenge, &code).await,
        200,
    )
    .await;
    let token = granted["token"].as_str().expect("token").to_owned();
    s.add("bearer token", &token);
    expect_json(app.bearer_client(&token).me().await, 200).await;

    // A recovery-code login.
    let r = app.new_client();
    let id = challenge_id(&r, name, pw, &mut s).await;
    expect_json(r.challenge_with_recovery_code(&id, &recovery[0]).await, 200).await;
    s.cookie("session after a recovery code", &r);

    // Regeneration.
    app.advance_clock(STEP).await;
    let code = app.code_now(&secret);
    s.codes.push(code.clone());
    let fresh = expect_json(r.regenerate_recovery_codes(pw, &code).await, 200).await;
    let fresh: Vec<String> = fresh["recovery_codes"]
        .as_array()
        .expect("recovery_codes")
        .iter()
        .map(|v| v.as_str().expect("code").to_owned())
        .collect();
    for code in &fresh {
        s.recovery_code(code);
    }

    // An account lock from repeated wrong codes (the server runs with a limit of 3).
    let a = app.new_client();
    let id = challenge_id(&a, name, pw, &mut s).await;
    for _ in 0..4 {
        let wrong = wrong_code(&secret, app.now());
        let _ = outcome(a.challenge_with_code(&id, &wrong).await).await;
    }
    app.advance_clock(3600).await;

    // Disable with a recovery code from the new set.
    let d = app.new_client();
    let id = challenge_id(&d, name, pw, &mut s).await;
    let code = app.code_now(&secret);
    s.codes.push(code.clone());
    expect_json(d.challenge_with_code(&id, &code).await, 200).await;
    expect_json(d.disable_with_recovery_code(pw, &fresh[0]).await, 200).await;
    s.cookie("session after disable", &d);
    s
}

/// The log without its timestamps (they are full of digit runs).
fn without_timestamps(log: &str) -> String {
    log.lines()
        .map(|line| match line.split_once(' ') {
            Some((first, rest)) if first.contains('T') && first.ends_with('Z') => rest,
            _ => line,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Whether `code` occurs in `text` as a whole number (no digit right before or after).
fn contains_number(text: &str, code: &str) -> bool {
    text.match_indices(code).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + code.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
    })
}

#[tokio::test]
async fn a_debug_log_of_every_flow_holds_no_secret() {
    // Arrange: debug logging (the spawn default) and a low account limit so a lock happens.
    let app = spawn_app_with(&[
        ("TWOFA_ACCOUNT_FAILURE_LIMIT", "3"),
        ("TWOFA_IP_FAILURE_LIMIT", "100000"),
        ("TWOFA_LOGIN_FAILURE_LIMIT", "100000"),
    ])
    .await;

    // Act
    let secrets = run_every_flow(&app).await;
    let log = app.server_log();

    // Assert: the log covers the run (a line per request, the audit events)...
    let requests = log.lines().filter(|l| l.contains("/api/")).count();
    assert!(requests >= 30, "only {requests} request lines:\n{log}");
    assert!(
        log.contains("2fa.enroll.completed"),
        "no audit lines:\n{log}"
    );
    // ...and holds none of the run's secrets.
    let log = without_timestamps(&log);
    let mut leaks = Vec::new();
    for (what, value) in &secrets.text {
        if let Some(line) = log.lines().find(|l| l.contains(value.as_str())) {
            leaks.push(format!("{what} in: {line}"));
        }
    }
    for code in &secrets.codes {
        if let Some(line) = log.lines().find(|l| contains_number(l, code)) {
            leaks.push(format!("TOTP code {code} in: {line}"));
        }
    }
    assert!(
        leaks.is_empty(),
        "secrets in the log:\n{}",
        leaks.join("\n")
    );
}

#[test]
fn the_code_search_ignores_longer_numbers_and_finds_whole_ones() {
    assert!(contains_number("code=123456 ok", "123456"));
    assert!(contains_number("123456", "123456"));
    assert!(!contains_number("t=1712345678", "123456"));
    assert!(!contains_number("port 51234567", "123456"));
    assert_eq!(base32_decode("JBSWY3DPEHPK3PXP"), b"Hello!\xde\xad\xbe\xef");
}
