//! Administrator commands of the `twofa` binary: `user add|list`, `2fa reset`, `keys check|rotate`
//! and `healthcheck`. They work on the database directly (no server needs to run), print what
//! they did on stdout, and fail with a message and a non-zero exit status.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpStream};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Subcommand;

use crate::auth::ClientInfo;
use crate::db::sealed;
use crate::dto::rfc3339;
use crate::error::ApiError;
use crate::keys::{self, Keys};
use crate::service::admin;
use crate::service::hashing::HashGate;
use crate::service::step_up::Authority;
use crate::settings::Settings;
use crate::state::AppState;
use crate::{keys_rotate, startup};

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a user. The password is read from a prompt, or from one line of standard input
    /// when it is not a terminal; never from the command line.
    Add {
        name: String,
        /// Make the user an administrator.
        #[arg(long)]
        admin: bool,
    },
    /// List every user with their two-factor status.
    List,
}

#[derive(Subcommand, Debug)]
pub enum TwoFactorCommand {
    /// Break-glass for a lost phone: remove the user's TOTP and recovery codes and end their
    /// sessions. They sign in with the password alone and can enrol again.
    Reset { user: String },
}

#[derive(Subcommand, Debug)]
pub enum KeysCommand {
    /// Check that the secret key fits the database and opens every stored secret.
    Check,
    /// Generate a new key and re-encrypt every secret with it (stop all servers first).
    Rotate,
}

fn cli_client() -> ClientInfo {
    ClientInfo {
        ip: None,
        user_agent: Some("twofa-cli".into()),
    }
}

/// Commands that read or change an existing installation refuse to create a new, empty SQLite
/// database: run from the wrong directory they would otherwise report "0 user(s)" (or reset
/// nobody) against a fresh `./data` instead of the server's.
fn existing_database(settings: &Settings) -> anyhow::Result<()> {
    if settings.database_url.is_some() {
        return Ok(());
    }
    let path = settings.data_dir.join("twofa.db");
    if !path.exists() {
        bail!(
            "no database at {}: set TWOFA_DATA_DIR (or TWOFA_DATABASE_URL) to the server's, or \
             run from the directory the server runs in",
            path.display()
        );
    }
    Ok(())
}

/// An `AppState` for commands that run outside the server.
async fn offline_state(settings: Settings) -> anyhow::Result<AppState> {
    let (db, keys) = startup::prepare(&settings).await?;
    Ok(AppState {
        db,
        clock: Arc::new(crate::clock::SystemClock),
        keys: Arc::new(keys),
        hashing: HashGate::per_core(),
        settings,
        trusted_proxies: Vec::new(),
        // Sessions are ended through the user's session epoch in the database, wherever they live.
        redis_sessions: None,
        #[cfg(feature = "test-clock")]
        test_clock: Arc::new(crate::clock::SettableClock::new()),
    })
}

fn block_on<T>(fut: impl std::future::Future<Output = anyhow::Result<T>>) -> anyhow::Result<T> {
    actix_web::rt::System::new().block_on(fut)
}

pub fn user(settings: Settings, command: UserCommand) -> anyhow::Result<()> {
    match command {
        UserCommand::Add { name, admin } => {
            let password = read_password(&name)?;
            block_on(async move {
                let state = offline_state(settings).await?;
                let user = admin::create_user(
                    &state,
                    &cli_client(),
                    Authority::Cli,
                    name.clone(),
                    password,
                    admin,
                )
                .await
                .map_err(|e| match e {
                    ApiError::UsernameTaken => {
                        anyhow::anyhow!("a user named {name:?} already exists")
                    }
                    other => anyhow::anyhow!("cannot create {name:?}: {other}"),
                })?;
                let role = if user.is_admin {
                    "administrator"
                } else {
                    "user"
                };
                println!("created {role} {} (id {})", user.username, user.id);
                Ok(())
            })
        }
        UserCommand::List => block_on(async move {
            existing_database(&settings)?;
            let state = offline_state(settings).await?;
            let users = admin::list_users(&state)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            let mut out = std::io::stdout().lock();
            writeln!(
                out,
                "{:>5}  {:<24} {:<5} {:<4} {:>8}  {:<8} created",
                "id", "username", "admin", "2fa", "recovery", "status"
            )?;
            for u in &users {
                writeln!(
                    out,
                    "{:>5}  {:<24} {:<5} {:<4} {:>8}  {:<8} {}",
                    u.user.id,
                    u.user.username,
                    if u.user.is_admin { "yes" } else { "no" },
                    if u.two_factor_enabled { "on" } else { "off" },
                    u.recovery_codes_remaining,
                    if u.user.disabled_at.is_some() {
                        "disabled"
                    } else {
                        "active"
                    },
                    rfc3339(u.user.created_at),
                )?;
            }
            writeln!(out, "{} user(s)", users.len())?;
            Ok(())
        }),
    }
}

pub fn two_factor(settings: Settings, command: TwoFactorCommand) -> anyhow::Result<()> {
    let TwoFactorCommand::Reset { user } = command;
    existing_database(&settings)?;
    block_on(async move {
        let state = offline_state(settings).await?;
        let found = admin::find_by_username(&state, &user)
            .await
            .map_err(|_| anyhow::anyhow!("no user named {user:?}"))?;
        admin::reset_two_factor(&state, &cli_client(), Authority::Cli, found.id)
            .await
            .map_err(|e| match e {
                ApiError::TotpNotEnabled => {
                    anyhow::anyhow!(
                        "{} has no two-factor authentication to reset",
                        found.username
                    )
                }
                other => anyhow::anyhow!("cannot reset {}: {other}", found.username),
            })?;
        println!(
            "reset two-factor authentication of {}: TOTP secret and recovery codes removed, \
             sessions ended; they can sign in with their password and enrol again",
            found.username
        );
        Ok(())
    })
}

pub fn keys(settings: Settings, command: KeysCommand) -> anyhow::Result<()> {
    existing_database(&settings)?;
    match command {
        KeysCommand::Check => check_key(&settings),
        KeysCommand::Rotate => {
            let done = keys_rotate::rotate(&settings)?;
            println!(
                "rotated the secret key: {} -> {}; re-encrypted {} TOTP secret(s) and the key check",
                done.old_key_id, done.new_key_id, done.secrets
            );
            if done.from_env {
                println!(
                    "the key comes from TWOFA_SECRET_KEY: set it to the content of {} on every \
                     instance, then delete that file",
                    done.key_path.display()
                );
            } else {
                println!("the new key is in {}", done.key_path.display());
            }
            println!(
                "browser sessions signed with the old key end; back up the new key with the \
                 database (backups made before now still need the old key)"
            );
            Ok(())
        }
    }
}

fn check_key(settings: &Settings) -> anyhow::Result<()> {
    let key_file = settings.data_dir.join("secret.key");
    if settings.secret_key.is_none() && !key_file.exists() {
        bail!(
            "no key: {} does not exist and TWOFA_SECRET_KEY is not set",
            key_file.display()
        );
    }
    let master = keys::load_master_key(settings)?;
    let mut keys = Keys::from_master(&master);
    let db = crate::db::Db::connect(&settings.database_url())?;
    keys::check_against_database(&db, &keys)?;
    keys_rotate::apply_stored_lookup_key(&db, &mut keys)?;
    let rows = db
        .write_blocking(|conn| Ok(sealed::all_totp(conn)?))
        .map_err(|e| anyhow::anyhow!("cannot read the TOTP secrets: {e}"))?;
    let broken: Vec<i64> = rows
        .iter()
        .filter(|(user_id, ct)| keys.secret_box.open(*user_id, ct).is_err())
        .map(|(user_id, _)| *user_id)
        .collect();
    if !broken.is_empty() {
        bail!(
            "the key fits the check value, but the TOTP secrets of user id(s) {broken:?} do not \
             open; restore them from a backup or reset their 2FA"
        );
    }
    println!(
        "key {} fits the database; {} TOTP secret(s) open",
        keys.secret_box.key_id(),
        rows.len()
    );
    Ok(())
}

/// Waits (at most 30 s) until the just-started server answers `GET /api/health` at all.
pub async fn wait_until_serving(addr: SocketAddr) -> anyhow::Result<()> {
    let addr = reachable(addr);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let probe = tokio::task::spawn_blocking(move || health_status_line(addr)).await?;
        if probe.is_ok() {
            return Ok(());
        }
        if std::time::Instant::now() > deadline {
            return probe
                .map(|_| ())
                .context("the server did not start serving");
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// A wildcard bind address is reached via loopback.
fn reachable(addr: SocketAddr) -> SocketAddr {
    if !addr.ip().is_unspecified() {
        return addr;
    }
    let loopback = match addr.ip() {
        IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
    };
    SocketAddr::new(loopback, addr.port())
}

/// `GET /api/health` on `TWOFA_BIND` (a wildcard address is reached via loopback): exit 0 when
/// the server answers 200. Plain HTTP/1.1 over a socket keeps the binary free of a client stack.
pub fn healthcheck(settings: &Settings) -> anyhow::Result<()> {
    let addr = reachable(settings.bind);
    let status_line = health_status_line(addr)?;
    let status = status_line.split_whitespace().nth(1).unwrap_or_default();
    if status != "200" {
        bail!("unhealthy: GET http://{addr}/api/health answered {status_line:?}");
    }
    println!("healthy: http://{addr}/api/health answered 200");
    Ok(())
}

/// The status line of `GET /api/health`.
fn health_status_line(addr: SocketAddr) -> anyhow::Result<String> {
    let timeout = Duration::from_secs(5);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)
        .with_context(|| format!("unhealthy: nothing answers on {addr}"))?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    write!(
        stream,
        "GET /api/health HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = Vec::new();
    stream
        .take(64 * 1024)
        .read_to_end(&mut response)
        .with_context(|| format!("unhealthy: no answer from {addr}"))?;
    let text = String::from_utf8_lossy(&response);
    let status_line = text.lines().next().unwrap_or_default().to_owned();
    anyhow::ensure!(
        status_line.starts_with("HTTP/"),
        "unhealthy: no HTTP answer from {addr}"
    );
    Ok(status_line)
}

/// From a prompt (asked twice) on a terminal, else one line of standard input.
fn read_password(name: &str) -> anyhow::Result<String> {
    let password = if std::io::stdin().is_terminal() {
        let first = rpassword::prompt_password(format!("Password for {name}: "))?;
        let again = rpassword::prompt_password("Repeat the password: ")?;
        if first != again {
            bail!("the passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("cannot read the password from standard input")?;
        line.trim_end_matches(['\r', '\n']).to_owned()
    };
    if password.is_empty() {
        bail!("no password given (type it at the prompt or pipe one line to standard input)");
    }
    Ok(password)
}
