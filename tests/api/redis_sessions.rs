//! The optional Redis session store (`TWOFA_SESSION_STORE=redis://…`) against the local Redis
//! (`TWOFA_TEST_REDIS_URL`, default 127.0.0.1:6379). Every test gets its own key prefix, so
//! parallel tests and earlier runs never see each other's keys. The scale-out tests
//! (scale_out.rs) also run with this store; here: what only a store outside the database shows.

use std::sync::atomic::{AtomicU32, Ordering};

use redis::Commands;
use serde_json::json;

use crate::attack_helpers::set_cookies;
use crate::client::{assert_error, expect_json, Client, SESSION_COOKIE};
use crate::ops_support::{enroll, ok, run_cli, sign_in_totp, stderr, PASSWORD};
use crate::scale_out::{pair, KEY};
use crate::tools::totp_at;

static SEQ: AtomicU32 = AtomicU32::new(0);

/// A key prefix of the test's own; its keys are deleted when it is dropped.
pub struct RedisNamespace {
    pub url: String,
    pub prefix: String,
}

pub fn redis_env() -> RedisNamespace {
    let url =
        std::env::var("TWOFA_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let prefix = format!(
        "twofa-test-{}-{}:",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::SeqCst)
    );
    RedisNamespace { url, prefix }
}

impl RedisNamespace {
    pub fn env(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("TWOFA_SESSION_STORE", self.url.as_str()),
            ("TWOFA_SESSION_STORE_PREFIX", self.prefix.as_str()),
        ]
    }

    fn conn(&self) -> redis::Connection {
        redis::Client::open(self.url.as_str())
            .and_then(|c| c.get_connection())
            .expect("the local Redis answers (scripts/setup.sh test starts one)")
    }

    /// Every key under this prefix, with its value when it is a string.
    pub fn keys(&self) -> Vec<(String, Option<String>)> {
        let mut conn = self.conn();
        let keys: Vec<String> = conn
            .scan_match(format!("{}*", self.prefix))
            .expect("SCAN")
            .collect();
        keys.into_iter()
            .map(|k| {
                let value = conn.get::<_, Option<String>>(&k).ok().flatten();
                (k, value)
            })
            .collect()
    }

    /// Seconds until Redis drops the key (-1: never, -2: no such key).
    pub fn ttl(&self, key: &str) -> i64 {
        self.conn().ttl(key).expect("TTL")
    }

    pub fn session_records(&self) -> Vec<(String, String)> {
        let prefix = format!("{}session:", self.prefix);
        self.keys()
            .into_iter()
            .filter_map(|(k, v)| Some((k.strip_prefix(&prefix)?.to_owned(), v?)))
            .collect()
    }
}

impl Drop for RedisNamespace {
    fn drop(&mut self) {
        let keys: Vec<String> = self.keys().into_iter().map(|(k, _)| k).collect();
        if !keys.is_empty() {
            let _: redis::RedisResult<()> = self.conn().del(keys);
        }
    }
}

fn is_hex64(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[tokio::test]
async fn browser_sessions_are_stored_in_redis_by_hash_only_and_logout_deletes_them() {
    let redis = redis_env();
    let (_store, a, b, secret, _codes, now) = pair(&redis.env()).await;
    let before = redis.session_records().len();
    let browser = a.new_client();
    sign_in_totp(&a, &browser, "alice", &secret).await;
    let cookie = browser.session_cookie().expect("session cookie");
    let records = redis.session_records();
    assert_eq!(
        records.len(),
        before + 1,
        "one record per signed-in browser"
    );
    for (hash, value) in &records {
        assert!(
            is_hex64(hash),
            "keyed by SHA-256 of the session key: {hash}"
        );
        // Exactly these fields and state keys: nothing else (no secret, code or password) can
        // be in a record.
        let record: serde_json::Value = serde_json::from_str(value).expect("JSON record");
        let mut fields: Vec<&str> = record
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        fields.sort_unstable();
        assert_eq!(
            fields,
            [
                "created_at",
                "expires_at",
                "id",
                "last_seen_at",
                "state",
                "user_id"
            ],
            "{value}"
        );
        for key in record["state"].as_object().unwrap().keys() {
            assert!(
                ["user_id", "epoch", "ip", "user_agent"].contains(&key.as_str()),
                "unexpected state key {key}: {value}"
            );
        }
        assert!(
            !value.contains(PASSWORD) && !value.contains(&secret),
            "{value}"
        );
        // Collected a little after the 30-minute idle limit, not kept for the 12-hour one.
        let ttl = redis.ttl(&format!("{}session:{hash}", redis.prefix));
        assert!((1..=35 * 60).contains(&ttl), "TTL {ttl}");
    }
    // The same cookie works on B, which shares only the database and Redis with A.
    let on_b = Client::with_cookie(&b.base, &cookie);
    let listed = expect_json(on_b.get("/api/me/sessions").await, 200).await;
    let mine: Vec<_> = listed["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["current"] == true)
        .collect();
    assert_eq!(mine.len(), 1, "{listed}");
    assert_eq!(mine[0]["kind"], "cookie");
    assert_eq!(on_b.logout().await.status().as_u16(), 204);
    assert_eq!(
        redis.session_records().len(),
        before,
        "logout deletes the record"
    );
    assert_error(browser.me().await, 401, "unauthenticated").await;
    // An idle session ends after 30 minutes of the server's clock, even though Redis still holds
    // its record (Redis's own expiry is only garbage collection).
    a.set_clock(now + 30).await;
    b.set_clock(now + 30).await;
    let other = b.new_client();
    sign_in_totp(&b, &other, "alice", &secret).await;
    let idle = now + 30 + 31 * 60;
    a.set_clock(idle).await;
    b.set_clock(idle).await;
    assert_error(
        Client::with_cookie(&a.base, &other.session_cookie().unwrap())
            .me()
            .await,
        401,
        "unauthenticated",
    )
    .await;
}

#[tokio::test]
async fn ending_sessions_in_the_database_ends_those_held_in_redis() {
    let redis = redis_env();
    let (_store, a, b, secret, _codes, now) = pair(&redis.env()).await;
    let x = a.new_client();
    sign_in_totp(&a, &x, "alice", &secret).await;
    a.set_clock(now + 30).await;
    b.set_clock(now + 30).await;
    let y = b.new_client();
    sign_in_totp(&b, &y, "alice", &secret).await;
    let y_on_a = Client::with_cookie(&a.base, &y.session_cookie().unwrap());
    expect_json(y_on_a.me().await, 200).await;

    // "Sign out everywhere else" from X on A: the enrolment browser and Y end, X stays.
    let revoked = expect_json(
        x.post("/api/me/sessions/revoke-others", json!({})).await,
        200,
    )
    .await;
    assert_eq!(revoked["revoked"], 2, "{revoked}");
    assert_error(y.me().await, 401, "unauthenticated").await;
    assert_error(y_on_a.me().await, 401, "unauthenticated").await;
    let x_on_b = Client::with_cookie(&b.base, &x.session_cookie().unwrap());
    let listed = expect_json(x_on_b.get("/api/me/sessions").await, 200).await;
    let sessions = listed["sessions"].as_array().unwrap();
    assert_eq!(sessions.len(), 1, "{listed}");
    assert_eq!(sessions[0]["current"], true);

    // Turning 2FA off on B (X's cookie) renews X and ends every other session, here a new Z.
    a.set_clock(now + 60).await;
    b.set_clock(now + 60).await;
    let z = a.new_client();
    sign_in_totp(&a, &z, "alice", &secret).await;
    a.set_clock(now + 90).await;
    b.set_clock(now + 90).await;
    let off = x_on_b
        .disable_with_code(PASSWORD, &totp_at(&secret, now + 90))
        .await;
    let renewed = set_cookies(off.headers())
        .into_iter()
        .find(|c| c.name.ends_with(SESSION_COOKIE))
        .expect("a 2FA change renews the session id");
    expect_json(off, 200).await;
    assert_error(z.me().await, 401, "unauthenticated").await;
    assert_error(x_on_b.me().await, 401, "unauthenticated").await;
    let x_renewed = Client::with_cookie(&a.base, &renewed.value);
    let me = expect_json(x_renewed.me().await, 200).await;
    assert_eq!(me["two_factor"]["enabled"], false, "{me}");
}

/// The account stays enabled here, so only the session epoch can end these sessions.
#[tokio::test]
async fn a_cli_or_admin_2fa_reset_ends_browser_sessions_held_in_redis() {
    let redis = redis_env();
    let (store, a, b, secret, _codes, now) = pair(&redis.env()).await;
    let x = a.new_client();
    sign_in_totp(&a, &x, "alice", &secret).await;
    ok(&store
        .cli(
            &["2fa", "reset", "alice"],
            None,
            &[("TWOFA_SECRET_KEY", KEY)],
        )
        .await);
    assert_error(x.me().await, 401, "unauthenticated").await;

    // Alice (2FA now off) signs in with her password on B and resets bob's 2FA from there.
    let admin = b.new_client();
    expect_json(admin.login("alice", PASSWORD).await, 200).await;
    let created = json!({"username": "bob", "password": PASSWORD});
    let bob = expect_json(admin.post("/api/admin/users", created).await, 201).await;
    let bob_id = bob["user"]["id"].as_i64().unwrap();
    let bob_browser = a.new_client();
    enroll(&a, &bob_browser, "bob").await;
    expect_json(bob_browser.me().await, 200).await;
    a.set_clock(now + 30).await;
    b.set_clock(now + 30).await;
    let path = format!("/api/admin/users/{bob_id}/2fa/reset");
    let confirm = json!({"password": PASSWORD});
    expect_json(admin.post(&path, confirm).await, 200).await;
    assert_error(bob_browser.me().await, 401, "unauthenticated").await;
    // The admin's own session is untouched.
    expect_json(admin.me().await, 200).await;
}

#[tokio::test]
async fn a_recovery_code_login_opens_a_redis_session_and_ends_the_others() {
    let redis = redis_env();
    let (_store, a, b, secret, codes, _now) = pair(&redis.env()).await;
    let x = a.new_client();
    sign_in_totp(&a, &x, "alice", &secret).await;
    let r = b.new_client();
    let challenge = r.start_challenge("alice", PASSWORD).await;
    let body = expect_json(
        r.challenge_with_recovery_code(&challenge, &codes[0]).await,
        200,
    )
    .await;
    assert_eq!(body["recovery_codes_remaining"], 9);
    let r_on_a = Client::with_cookie(&a.base, &r.session_cookie().unwrap());
    expect_json(r_on_a.me().await, 200).await;
    assert_error(x.me().await, 401, "unauthenticated").await;
    // The records of ended sessions are dropped when the user's sessions are listed.
    let listed = expect_json(r_on_a.get("/api/me/sessions").await, 200).await;
    assert_eq!(listed["sessions"].as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(redis.session_records().len(), 1);
}

#[tokio::test]
async fn ready_reports_redis_and_an_unreachable_redis_stops_start_up() {
    let redis = redis_env();
    let (store, a, _b, _secret, _codes, _now) = pair(&redis.env()).await;
    let ready = expect_json(Client::bare(&a.base).get("/api/ready").await, 200).await;
    assert_eq!(ready["session_store"], "ok", "{ready}");
    assert_eq!(ready["database"], "ok", "{ready}");

    let out = run_cli(
        &store.env(),
        &["serve"],
        None,
        &[
            ("TWOFA_SECRET_KEY", KEY),
            ("TWOFA_BIND", "127.0.0.1:0"),
            ("TWOFA_SESSION_STORE", "redis://127.0.0.1:1"),
        ],
    )
    .await;
    assert!(!out.status.success(), "serve must fail without its Redis");
    let err = stderr(&out);
    assert!(
        err.contains("cannot connect to the Redis session store"),
        "{err}"
    );
    let out = run_cli(
        &store.env(),
        &["serve"],
        None,
        &[
            ("TWOFA_SECRET_KEY", KEY),
            ("TWOFA_SESSION_STORE", "memcached://127.0.0.1:11211"),
        ],
    )
    .await;
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("TWOFA_SESSION_STORE must be"),
        "{}",
        stderr(&out)
    );
}

/// A Redis of the test's own on a free port, so the test can stop it.
struct PrivateRedis {
    child: std::process::Child,
    url: String,
}

impl PrivateRedis {
    fn start() -> PrivateRedis {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        PrivateRedis::start_on(port)
    }

    fn start_on(port: u16) -> PrivateRedis {
        let mut child = std::process::Command::new("redis-server")
            .args(["--bind", "127.0.0.1", "--port", &port.to_string()])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("redis-server (scripts/setup.sh test installs it)");
        let url = format!("redis://127.0.0.1:{port}");
        for _ in 0..100 {
            let up = redis::Client::open(url.as_str())
                .and_then(|c| c.get_connection())
                .is_ok();
            if up {
                return PrivateRedis { child, url };
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the private redis-server did not start on {port}");
    }

    fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn a_redis_outage_is_reported_in_json_and_bearer_clients_carry_on() {
    let mut private = PrivateRedis::start();
    let env = [
        ("TWOFA_SESSION_STORE", private.url.as_str()),
        ("TWOFA_SESSION_STORE_PREFIX", "twofa-outage:"),
    ];
    let (_store, a, _b, secret, _codes, now) = pair(&env).await;
    let browser = a.new_client();
    sign_in_totp(&a, &browser, "alice", &secret).await;
    a.set_clock(now + 30).await;
    let bearer = Client::bare(&a.base);
    let challenge = bearer.login_for_token("alice", PASSWORD).await;
    let challenge = expect_json(challenge, 200).await["challenge_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let body =
        json!({"challenge_id": challenge, "code": totp_at(&secret, now + 30), "token": true});
    let signed_in = expect_json(bearer.post("/api/login/challenge", body).await, 200).await;
    let bearer = Client::bearer(&a.base, signed_in["token"].as_str().unwrap());

    private.stop();

    let ready = Client::bare(&a.base).get("/api/ready").await;
    assert_eq!(ready.status().as_u16(), 503);
    let ready: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(ready["session_store"], "unreachable", "{ready}");
    assert_eq!(ready["database"], "ok", "{ready}");
    let health = expect_json(Client::bare(&a.base).get("/api/health").await, 200).await;
    assert_eq!(
        health,
        json!({"status": "ok", "database": "ok"}),
        "liveness ignores Redis"
    );
    // A browser request cannot load its session: a JSON error with a stable code, never a
    // plain-text 500 and never a signed-in answer.
    assert_error(browser.me().await, 500, "internal").await;
    // Bearer tokens live in the database and need no Redis.
    let me = expect_json(bearer.me().await, 200).await;
    assert_eq!(me["user"]["username"], "alice", "{me}");

    // Redis back (empty, as it keeps nothing on disk): twofa reconnects by itself; the browser
    // session is gone with Redis's data, so that browser is signed out, not let in.
    let port = private.url.rsplit(':').next().unwrap().parse().unwrap();
    let _back = PrivateRedis::start_on(port);
    let mut ready = 0;
    for _ in 0..50 {
        ready = Client::bare(&a.base)
            .get("/api/ready")
            .await
            .status()
            .as_u16();
        if ready == 200 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    assert_eq!(ready, 200, "twofa reconnects to Redis");
    assert_error(browser.me().await, 401, "unauthenticated").await;
    a.set_clock(now + 60).await;
    let again = a.new_client();
    sign_in_totp(&a, &again, "alice", &secret).await;
    expect_json(again.me().await, 200).await;
}
