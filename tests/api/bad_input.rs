//! Bodies a careless or hostile client sends: each gets its documented 4xx and error code
//! (never a 500), and none of them costs an attempt or changes state.

use serde_json::{json, Value};

use crate::client::{assert_error, expect_json, Client};
use crate::helpers::{aligned_now, spawn_app, spawn_app_with};

struct Case {
    what: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
    status: u16,
    code: &'static str,
}

const JSON: Option<&str> = Some("application/json");

fn case(what: &str, body: impl Into<Vec<u8>>, status: u16, code: &'static str) -> Case {
    Case {
        what: what.to_owned(),
        content_type: JSON,
        body: body.into(),
        status,
        code,
    }
}

/// Shape errors for any endpoint, built around one valid body.
fn body_cases(valid: &Value) -> Vec<Case> {
    let text = valid.to_string();
    let (first_key, first_value) = valid
        .as_object()
        .expect("object")
        .iter()
        .next()
        .expect("field");
    let duplicate = format!(
        "{},{:?}:{}}}",
        &text[..text.len() - 1],
        first_key,
        first_value
    );
    let mut unknown = valid.clone();
    unknown["is_admin"] = json!(true);
    let one_mb = format!("{{\"{first_key}\":\"{}\"}}", "1".repeat(1 << 20));
    let mut cases = vec![
        case(
            "malformed JSON",
            &text[..text.len() - 1],
            400,
            "invalid_request",
        ),
        case("empty body", "", 400, "invalid_request"),
        case("a JSON string", "\"123456\"", 400, "invalid_request"),
        case("a JSON array", format!("[{text}]"), 400, "invalid_request"),
        case("null", "null", 400, "invalid_request"),
        case(
            "an unknown field",
            unknown.to_string(),
            400,
            "invalid_request",
        ),
        case("a duplicate key", duplicate, 400, "invalid_request"),
        case("a 1 MB body", one_mb, 413, "payload_too_large"),
    ];
    for (what, ct) in [
        ("a form body", Some("application/x-www-form-urlencoded")),
        ("text/plain", Some("text/plain")),
        ("no content type", None),
    ] {
        cases.push(Case {
            content_type: ct,
            ..case(what, text.clone(), 415, "unsupported_media_type")
        });
    }
    cases
}

/// Everything that is not a JSON string of six ASCII digits, for the field holding `good`.
fn code_cases(with: &dyn Fn(Value) -> Value, good: &str) -> Vec<Case> {
    let number: u64 = good.parse().expect("digits");
    let shifted = |zero: char| -> String {
        good.chars()
            .map(|c| char::from_u32(zero as u32 + c.to_digit(10).unwrap()).unwrap())
            .collect()
    };
    let (head, tail) = good.split_at(3);
    let typed = |what: &str, v: Value| case(what, with(v).to_string(), 400, "invalid_request");
    let format =
        |what: &str, s: String| case(what, with(json!(s)).to_string(), 400, "invalid_code_format");
    vec![
        typed("the code as a JSON number", json!(number)),
        typed("the code as null", Value::Null),
        typed("the code as an array", json!([])),
        typed("the code as an object", json!({})),
        typed("the code as a boolean", json!(true)),
        format("a leading plus", format!("+{}", &good[1..])),
        format("five digits", good[..5].to_owned()),
        format("seven digits", format!("{good}0")),
        format("full-width digits", shifted('\u{FF10}')),
        format("Arabic-Indic digits", shifted('\u{0660}')),
        format("Devanagari digits", shifted('\u{0966}')),
        format("a tab inside", format!("{head}\t{tail}")),
        format("a no-break space inside", format!("{head}\u{A0}{tail}")),
        format("a zero-width space inside", format!("{head}\u{200B}{tail}")),
        format("hex", "0x1e24".to_owned()),
        format("a letter", format!("{}a", &good[..5])),
        format("an empty code", String::new()),
        format("a 1,000-digit code", "1".repeat(1000)),
        case(
            "a 10,000-character code (over the 4 KiB body limit)",
            with(json!("1".repeat(10_000))).to_string(),
            413,
            "payload_too_large",
        ),
    ]
}

async fn run(client: &Client, path: &str, cases: Vec<Case>) {
    for c in cases {
        let resp = client.post_raw(path, c.content_type, c.body).await;
        let (status, text) = (
            resp.status().as_u16(),
            resp.text().await.unwrap_or_default(),
        );
        let body: Value = serde_json::from_str(&text).unwrap_or_default();
        assert!(
            status == c.status && body["error"]["code"] == c.code,
            "{path} with {}: expected {} {}, got {status} {text}",
            c.what,
            c.status,
            c.code
        );
    }
}

#[tokio::test]
async fn bad_challenge_bodies_get_documented_errors_and_cost_no_attempt() {
    // Arrange: production throttles, so a charged attempt would burn or lock.
    let app = spawn_app_with(&[]).await;
    let user = app.enrolled_user().await;
    let id = app
        .client
        .start_challenge(&user.username, &user.password)
        .await;
    let good = app.code_now(&user.secret);
    let recovery = user.recovery_codes[0].clone();
    let with_code = |v: Value| json!({"challenge_id": id, "code": v});
    let with_recovery = |v: Value| json!({"challenge_id": id, "recovery_code": v});
    let mut cases = body_cases(&with_code(json!(good)));
    cases.extend(code_cases(&with_code, &good));
    cases.extend([
        case(
            "no code at all",
            json!({"challenge_id": id}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "both a code and a recovery code",
            json!({"challenge_id": id, "code": good, "recovery_code": recovery}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "the challenge id as a number",
            json!({"challenge_id": 7, "code": good}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "a recovery code as a number",
            with_recovery(json!(1234)).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "a 1,000-character recovery code",
            with_recovery(json!("A".repeat(1000))).to_string(),
            400,
            "invalid_code_format",
        ),
    ]);

    // Act
    run(&app.client, "/api/login/challenge", cases).await;

    // Assert: the challenge and the account were never charged; "123 456" is accepted.
    let spaced = format!("{} {}", &good[..3], &good[3..]);
    let resp = app.client.challenge_with_code(&id, &spaced).await;
    assert_eq!(expect_json(resp, 200).await["recovery_codes_remaining"], 10);
}

#[tokio::test]
async fn bad_verify_bodies_get_documented_errors_and_leave_the_enrollment_pending() {
    // Arrange
    let app = spawn_app_with(&[]).await;
    app.set_clock(aligned_now()).await;
    let user = app.setup_user().await;
    expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    let pending = expect_json(app.client.enable(&user.password).await, 200).await;
    let secret = pending["secret"].as_str().expect("secret").replace(' ', "");
    let good = app.code_now(&secret);
    let with_code = |v: Value| json!({"code": v});
    let mut cases = body_cases(&with_code(json!(good)));
    cases.extend(code_cases(&with_code, &good));

    // Act
    run(&app.client, "/api/2fa/verify", cases).await;

    // Assert
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], false);
    let resp = app.client.verify(&format!(" {good} ")).await;
    assert_eq!(
        expect_json(resp, 200).await["recovery_codes"]
            .as_array()
            .unwrap()
            .len(),
        10
    );
}

#[tokio::test]
async fn bad_disable_bodies_get_documented_errors_and_leave_two_factor_on() {
    // Arrange
    let app = spawn_app_with(&[]).await;
    let user = app.enrolled_user().await;
    app.client
        .sign_in(&user.username, &user.password, &app.code_now(&user.secret))
        .await;
    app.advance_clock(30).await;
    let good = app.code_now(&user.secret);
    let pw = user.password.clone();
    let with_code = |v: Value| json!({"password": pw, "code": v});
    let mut cases = body_cases(&with_code(json!(good)));
    cases.extend(code_cases(&with_code, &good));
    cases.extend([
        case(
            "the password only",
            json!({"password": pw}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "the code only",
            json!({"code": good}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "the password as a number",
            json!({"password": 1, "code": good}).to_string(),
            400,
            "invalid_request",
        ),
    ]);

    // Act
    run(&app.client, "/api/2fa/disable", cases).await;

    // Assert
    let me = expect_json(app.client.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], true);
    let off = expect_json(app.client.disable_with_code(&pw, &good).await, 200).await;
    assert_eq!(off["two_factor"]["enabled"], false);
}

#[tokio::test]
async fn bad_login_bodies_get_documented_errors_and_no_throttle_charge() {
    // Arrange: a login limit of 3 would be reached if bad bodies counted as failures.
    let app = spawn_app_with(&[("TWOFA_LOGIN_FAILURE_LIMIT", "3")]).await;
    let user = app.setup_user().await;
    let valid = json!({"username": user.username, "password": user.password});
    let mut cases = body_cases(&valid);
    cases.extend([
        case(
            "the username as a number",
            json!({"username": 1, "password": "x"}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "no password",
            json!({"username": user.username}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "a password of null",
            json!({"username": user.username, "password": null}).to_string(),
            400,
            "invalid_request",
        ),
        case(
            "token as a string",
            json!({"username": user.username, "password": user.password, "token": "yes"})
                .to_string(),
            400,
            "invalid_request",
        ),
    ]);

    // Act
    run(&app.client, "/api/login", cases).await;

    // Assert
    let login = expect_json(app.client.login(&user.username, &user.password).await, 200).await;
    assert_eq!(login["status"], "authenticated");
}

#[tokio::test]
async fn unknown_paths_and_wrong_methods_get_json_errors() {
    // Arrange
    let app = spawn_app().await;

    // Act
    let missing = app.client.get("/api/no-such-thing").await;
    let get_disable = app.client.get("/api/2fa/disable").await;
    let get_challenge = app.client.get("/api/login/challenge?code=123456").await;

    // Assert
    assert_error(missing, 404, "not_found").await;
    assert_error(get_disable, 405, "method_not_allowed").await;
    assert_error(get_challenge, 405, "method_not_allowed").await;
}
