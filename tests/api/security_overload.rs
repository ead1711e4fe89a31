//! Argon2 is bounded (issue 5): 500 logins at once keep the server's peak memory under 256 MiB,
//! and what it cannot take soon is refused with 503 `overloaded` and `Retry-After`.

use std::collections::BTreeMap;

use tokio::task::JoinSet;

use crate::attack_helpers::{header, setup_admin, Server};

const LOGINS: usize = 500;
const MAX_RSS_KIB: u64 = 256 * 1024;

/// Peak resident set size of a process, from /proc (Linux).
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in /proc status")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn five_hundred_concurrent_logins_stay_under_256_mib_and_the_excess_gets_503() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start_default(dir.path(), &[]).await;
    setup_admin(&server.client, "alice").await;
    let before = peak_rss_kib(server.pid());

    // Act: 500 password checks at once, each its own connection. The client runs on several
    // threads so that on a loaded host it still sends every request head well inside the
    // server's read timeout; a 408 then means the server, not the client, fell behind.
    let mut set = JoinSet::new();
    for i in 0..LOGINS {
        let client = server.new_client();
        set.spawn(async move {
            let resp = client
                .login("alice", &format!("wrong password {i:04}"))
                .await;
            let status = resp.status().as_u16();
            let retry = header(resp.headers(), "retry-after");
            let body: serde_json::Value = resp.json().await.unwrap_or_default();
            let code = body["error"]["code"].as_str().unwrap_or("").to_owned();
            (format!("{status} {code}"), retry)
        });
    }
    let mut tally: BTreeMap<String, usize> = BTreeMap::new();
    while let Some(done) = set.join_next().await {
        let (outcome, retry) = done.expect("request task");
        if outcome == "503 overloaded" {
            let secs: u64 = retry
                .as_deref()
                .and_then(|r| r.parse().ok())
                .expect("503 carries Retry-After in seconds");
            assert!(secs >= 1, "Retry-After {secs}");
        }
        *tally.entry(outcome).or_default() += 1;
    }
    let peak = peak_rss_kib(server.pid());

    // Assert (the figures go to the test output for the security notes)
    println!(
        "peak RSS {} MiB (idle {} MiB); answers {tally:?}",
        peak / 1024,
        before / 1024
    );
    assert!(
        peak < MAX_RSS_KIB,
        "peak RSS {} MiB (before the flood {} MiB); answers {tally:?}",
        peak / 1024,
        before / 1024
    );
    let answered: usize = tally.values().sum();
    assert_eq!(answered, LOGINS);
    for outcome in tally.keys() {
        assert!(
            outcome == "401 invalid_credentials" || outcome == "503 overloaded",
            "unexpected answers: {tally:?}"
        );
    }
    assert!(
        tally.contains_key("503 overloaded"),
        "no request was shed: {tally:?}"
    );
    // The server is still healthy afterwards.
    let health = server.client.get("/api/health").await;
    assert_eq!(health.status(), 200);
}
