//! Many requests at once with one secret: compare-and-set in the database must let exactly one
//! through, on both backends.

use std::collections::BTreeMap;

use reqwest::Response;
use tokio::task::JoinSet;

use crate::client::Client;
use crate::helpers::{spawn_app, spawn_app_with, TestApp, RELAXED_THROTTLES};
use crate::redis_sessions::redis_env;
use crate::tools::wrong_code;

/// Opens `n` challenges for the user, each in its own cookie jar.
async fn open_challenges(app: &TestApp, name: &str, pw: &str, n: usize) -> Vec<(Client, String)> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let client = app.new_client();
        let id = client.start_challenge(name, pw).await;
        out.push((client, id));
    }
    out
}

/// Tallies outcomes as `200` or the error code.
async fn outcome(resp: Response) -> String {
    let status = resp.status().as_u16();
    let body: serde_json::Value = resp.json().await.unwrap_or_default();
    match body["error"]["code"].as_str() {
        Some(code) => format!("{status} {code}"),
        None => status.to_string(),
    }
}

async fn tally(mut set: JoinSet<String>) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    while let Some(result) = set.join_next().await {
        *counts.entry(result.expect("request task")).or_default() += 1;
    }
    counts
}

#[tokio::test]
async fn twenty_parallel_challenges_with_one_valid_code_give_exactly_one_session() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let challenges = open_challenges(&app, &user.username, &user.password, 20).await;
    let code = app.code_now(&user.secret);

    // Act
    let mut set = JoinSet::new();
    for (client, id) in challenges {
        let code = code.clone();
        set.spawn(async move { outcome(client.challenge_with_code(&id, &code).await).await });
    }
    let counts = tally(set).await;

    // Assert
    let expected = BTreeMap::from([("200".to_owned(), 1), ("401 totp_replayed".to_owned(), 19)]);
    assert_eq!(counts, expected);
}

#[tokio::test]
async fn twenty_parallel_uses_of_one_recovery_code_give_exactly_one_session() {
    twenty_parallel_uses_of_one_recovery_code_give_exactly_one_session_on(spawn_app().await).await;
}

/// With the Redis store each browser attempt writes its session to Redis before the database
/// transaction decides; the losers' sessions must be discarded, not left signed in.
#[tokio::test]
async fn twenty_parallel_uses_of_one_recovery_code_give_exactly_one_session_with_redis_sessions() {
    let redis = redis_env();
    let mut env = RELAXED_THROTTLES.to_vec();
    env.extend(redis.env());
    let app = spawn_app_with(&env).await;
    twenty_parallel_uses_of_one_recovery_code_give_exactly_one_session_on(app).await;
    // Signed-in records left in Redis: the winner's and the final check's sign-in; the losers
    // keep only their anonymous pre-sign-in sessions.
    let signed_in = redis
        .session_records()
        .into_iter()
        .filter(|(_, record)| {
            let record: serde_json::Value = serde_json::from_str(record).expect("JSON record");
            !record["user_id"].is_null()
        })
        .count();
    assert_eq!(signed_in, 2, "{:?}", redis.keys());
}

async fn twenty_parallel_uses_of_one_recovery_code_give_exactly_one_session_on(app: TestApp) {
    // Arrange
    let user = app.enrolled_user().await;
    let challenges = open_challenges(&app, &user.username, &user.password, 20).await;
    let recovery = user.recovery_codes[3].clone();

    // Act
    let mut set = JoinSet::new();
    for (client, id) in challenges {
        let recovery = recovery.clone();
        set.spawn(async move {
            outcome(client.challenge_with_recovery_code(&id, &recovery).await).await
        });
    }
    let counts = tally(set).await;

    // Assert: one success and no double spend. Each attempt costs one argon2 hash and the
    // server hashes at most one per core, so on a starved machine some losers get the documented
    // 503 `overloaded` instead of reaching the comparison; they never get a 200.
    assert_eq!(counts.get("200"), Some(&1), "{counts:?}");
    let losers = counts.get("401 invalid_code").unwrap_or(&0);
    let overloaded = counts.get("503 overloaded").unwrap_or(&0);
    assert_eq!(losers + overloaded, 19, "{counts:?}");
    let browser = app.new_client();
    browser
        .sign_in(&user.username, &user.password, &app.code_now(&user.secret))
        .await;
    let me: serde_json::Value = browser.me().await.json().await.expect("me JSON");
    assert_eq!(me["two_factor"]["recovery_codes_remaining"], 9);
}

#[tokio::test]
async fn fifty_parallel_wrong_codes_on_one_challenge_are_charged_exactly_five_times() {
    // Arrange
    let app = spawn_app().await;
    let user = app.enrolled_user().await;
    let client = app.new_client();
    let id = client.start_challenge(&user.username, &user.password).await;
    let wrong = wrong_code(&user.secret, app.now());

    // Act
    let mut set = JoinSet::new();
    for _ in 0..50 {
        let (client, id, wrong) = (client.clone(), id.clone(), wrong.clone());
        set.spawn(async move { outcome(client.challenge_with_code(&id, &wrong).await).await });
    }
    let counts = tally(set).await;
    let late = client
        .challenge_with_code(&id, &app.code_now(&user.secret))
        .await;

    // Assert
    let expected = BTreeMap::from([
        ("401 challenge_invalid".to_owned(), 45),
        ("401 invalid_code".to_owned(), 5),
    ]);
    assert_eq!(counts, expected);
    assert_eq!(outcome(late).await, "401 challenge_invalid");
}
