//! Secrets at rest, read straight from the data dir: TOTP secrets only as AEAD ciphertext bound
//! to their user (checklist 37), recovery codes only as Argon2id PHC strings with their own salts
//! (31), a key file only its owner can read, and a server that refuses to start with a key that
//! does not fit the database instead of failing later (issue 5).

use std::path::Path;

use diesel::sql_types::{BigInt, Text};
use diesel::{sql_query, Connection, QueryableByName, RunQueryDsl, SqliteConnection};

use crate::attack_helpers::{add_user, enroll, enrolled_admin, outcome, Server, Start, PASSWORD};
use crate::client::expect_json;
use crate::helpers::{twofa_bin, STEP};
use crate::tools::totp_at;

const KEY_A: &str = "0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0";
const KEY_B: &str = "a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c7d8e9f";

#[derive(QueryableByName)]
struct Phc {
    #[diesel(sql_type = Text)]
    phc: String,
}

#[derive(QueryableByName)]
struct Sealed {
    #[diesel(sql_type = BigInt)]
    len: i64,
    #[diesel(sql_type = Text)]
    key_id: String,
}

fn open_db(server: &Server) -> SqliteConnection {
    let path = server.db_path();
    let mut conn =
        SqliteConnection::establish(path.to_str().expect("UTF-8 path")).expect("open twofa.db");
    // The server holds the same file open; wait for its writes instead of failing.
    sql_query("PRAGMA busy_timeout = 5000")
        .execute(&mut conn)
        .expect("busy timeout");
    conn
}

/// Every byte the server keeps on disk, except its logs and the key file itself.
fn stored_bytes(dir: &Path) -> Vec<(String, Vec<u8>)> {
    std::fs::read_dir(dir)
        .expect("data dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            p.is_file() && !name.ends_with(".log") && name != "secret.key"
        })
        .map(|p| (p.display().to_string(), std::fs::read(&p).expect("read")))
        .collect()
}

fn base32_bytes(secret: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut acc, mut bits, mut out) = (0u32, 0, Vec::new());
    for c in secret.bytes() {
        acc = (acc << 5) | ALPHABET.iter().position(|a| *a == c).expect("base32") as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test]
async fn the_database_holds_no_secret_or_recovery_code_in_any_readable_form() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start_default(dir.path(), &[]).await;
    let (secret, codes, _) = enrolled_admin(&server, "alice").await;

    // Act
    let files = stored_bytes(dir.path());
    let mut conn = open_db(&server);
    let phcs: Vec<Phc> = sql_query("SELECT phc FROM recovery_codes")
        .load(&mut conn)
        .expect("recovery_codes");
    let sealed: Vec<Sealed> =
        sql_query("SELECT length(secret_ct) AS len, key_id FROM totp_credentials")
            .load(&mut conn)
            .expect("totp_credentials");

    // Assert: no form of the secret or of any code anywhere on disk.
    let raw = base32_bytes(&secret);
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    let mut needles: Vec<(String, Vec<u8>)> = vec![
        ("secret".into(), secret.clone().into_bytes()),
        ("secret bytes".into(), raw.clone()),
        ("secret hex".into(), hex.clone().into_bytes()),
        ("secret HEX".into(), hex.to_ascii_uppercase().into_bytes()),
    ];
    for code in &codes {
        needles.push((format!("code {code}"), code.clone().into_bytes()));
        needles.push((
            format!("code {code} bare"),
            code.replace('-', "").into_bytes(),
        ));
    }
    for (file, bytes) in &files {
        for (what, needle) in &needles {
            assert!(!contains(bytes, needle), "{what} found in {file}");
        }
    }
    // Recovery codes: ten Argon2id PHC strings at OWASP parameters or above, ten salts.
    assert_eq!(phcs.len(), 10);
    let mut salts = Vec::new();
    for Phc { phc } in &phcs {
        let parts: Vec<&str> = phc.split('$').collect();
        assert_eq!(&parts[..3], ["", "argon2id", "v=19"], "{phc}");
        let params: Vec<u64> = parts[3]
            .split(',')
            .map(|kv| kv[2..].parse().expect("numeric parameter"))
            .collect();
        assert!(
            params[0] >= 19_456 && params[1] >= 2 && params[2] >= 1,
            "{phc}"
        );
        assert!(parts[4].len() >= 22, "salt under 128 bits: {phc}");
        salts.push(parts[4].to_owned());
    }
    salts.sort();
    salts.dedup();
    assert_eq!(salts.len(), 10, "recovery codes share a salt");
    // The secret: one sealed row, nonce + 20 bytes + tag, naming its key.
    assert_eq!(sealed.len(), 1);
    assert!(
        sealed[0].len >= 20 + 16 + 12,
        "ciphertext of {} bytes",
        sealed[0].len
    );
    assert!(!sealed[0].key_id.is_empty(), "no key id");
}

#[tokio::test]
async fn a_sealed_secret_copied_to_another_users_row_does_not_open() {
    // Arrange: alice and bob with 2FA.
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start_default(dir.path(), &[]).await;
    let (alice_secret, _, now) = enrolled_admin(&server, "alice").await;
    let admin = server.new_client();
    admin
        .sign_in("alice", PASSWORD, &totp_at(&alice_secret, now))
        .await;
    add_user(&admin, "bob").await;
    let bob = server.new_client();
    expect_json(bob.login("bob", PASSWORD).await, 200).await;
    enroll(&bob, now).await;
    let now = now + STEP;
    server.set_clock(now).await;

    // Act: an attacker with write access to the database gives bob alice's sealed secret.
    let mut conn = open_db(&server);
    let changed = sql_query(
        "UPDATE totp_credentials SET secret_ct = \
         (SELECT secret_ct FROM totp_credentials t JOIN users u ON u.id = t.user_id \
          WHERE u.username = 'alice') \
         WHERE user_id = (SELECT id FROM users WHERE username = 'bob')",
    )
    .execute(&mut conn)
    .expect("update");
    assert_eq!(changed, 1);
    let attacker = server.new_client();
    let id = attacker.start_challenge("bob", PASSWORD).await;
    let got = outcome(
        attacker
            .challenge_with_code(&id, &totp_at(&alice_secret, now))
            .await,
    )
    .await;

    // Assert
    assert!(
        !got.starts_with("200"),
        "alice's secret opened for bob: {got}"
    );
    assert_eq!(attacker.me().await.status(), 401);
}

#[tokio::test]
async fn the_generated_key_file_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;

    // Arrange + Act
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start_default(dir.path(), &[]).await;

    // Assert
    let meta = std::fs::metadata(dir.path().join("secret.key")).expect("secret.key exists");
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let key = std::fs::read_to_string(dir.path().join("secret.key")).expect("key text");
    assert!(!server.log().contains(key.trim()), "the key is in the log");
}

/// A message an operator understands: it names the key and says it does not fit.
fn assert_clear_key_refusal(code: Option<i32>, log: &str) {
    assert_ne!(code, Some(0), "started with the wrong key:\n{log}");
    let lower = log.to_lowercase();
    assert!(
        lower.contains("key"),
        "the refusal does not mention the key:\n{log}"
    );
    assert!(
        [
            "does not match",
            "does not fit",
            "mismatch",
            "wrong",
            "different"
        ]
        .iter()
        .any(|w| lower.contains(w)),
        "the refusal does not say the key does not fit:\n{log}"
    );
    assert!(
        !lower.contains("panicked"),
        "a panic instead of a message:\n{log}"
    );
}

#[tokio::test]
async fn another_key_on_an_existing_database_refuses_to_start_with_a_clear_message() {
    // Arrange: a database sealed under key A.
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start_default(dir.path(), &[("TWOFA_SECRET_KEY", KEY_A)]).await;
    let (secret, _, now) = enrolled_admin(&server, "alice").await;
    server.stop().await;

    // Act
    let with_b = Server::try_start(&twofa_bin(), dir.path(), &[("TWOFA_SECRET_KEY", KEY_B)]).await;

    // Assert
    match with_b {
        Start::Listening(_) => panic!("twofa started on a database sealed with another key"),
        Start::Exited { code, log } => assert_clear_key_refusal(code, &log),
    }
    // The right key still opens everything.
    let server = Server::start_default(dir.path(), &[("TWOFA_SECRET_KEY", KEY_A)]).await;
    server.set_clock(now).await;
    server
        .client
        .sign_in("alice", PASSWORD, &totp_at(&secret, now))
        .await;
}

#[tokio::test]
async fn a_lost_key_file_is_not_silently_replaced() {
    // Arrange: a database sealed under a generated key file, which then goes missing.
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start_default(dir.path(), &[]).await;
    enrolled_admin(&server, "alice").await;
    server.stop().await;
    std::fs::remove_file(dir.path().join("secret.key")).expect("remove key");

    // Act
    let started = Server::try_start(&twofa_bin(), dir.path(), &[]).await;

    // Assert
    match started {
        Start::Listening(_) => {
            panic!("twofa made a new key for a database sealed with the old one")
        }
        Start::Exited { code, log } => assert_clear_key_refusal(code, &log),
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[tokio::test]
async fn disable_deletes_the_sealed_secret_and_every_recovery_code_row() {
    // Arrange
    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start_default(dir.path(), &[]).await;
    let (secret, codes, now) = enrolled_admin(&server, "alice").await;
    server
        .client
        .sign_in("alice", PASSWORD, &totp_at(&secret, now))
        .await;

    // Act
    let resp = server
        .client
        .disable_with_recovery_code(PASSWORD, &codes[0])
        .await;
    expect_json(resp, 200).await;

    // Assert
    let mut conn = open_db(&server);
    for table in ["totp_credentials", "recovery_codes"] {
        let rows: Vec<Count> = sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
            .load(&mut conn)
            .expect("count");
        assert_eq!(rows[0].n, 0, "{table} still holds rows after disable");
    }
}
