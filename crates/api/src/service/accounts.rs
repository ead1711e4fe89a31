//! Accounts: first-run setup, the password step of login, password step-up, profile data.

use crate::auth::ClientInfo;
use crate::crypto;
use crate::db::users::{self, UserRow};
use crate::db::{challenges, is_unique_violation, meta, recovery_codes, totp};
use crate::error::{ApiError, ApiResult};
use crate::service::{audit, throttle};
use crate::state::AppState;

/// A challenge lives 5 minutes.
pub const CHALLENGE_TTL_SECS: i64 = 300;
const MAX_USERNAME_CHARS: usize = 64;

/// Usernames compare after NFKC and case folding, so `ＢＯＢ` (full-width) and `Bob` are one name.
pub fn username_key(username: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    // Lower-casing can leave text that NFKC changes again; the second pass makes the key stable.
    let folded: String = username.nfkc().collect::<String>().to_lowercase();
    folded.nfkc().collect()
}

/// The confusable skeleton of a username (UTS #39), stored under a unique index so two accounts
/// never look alike: `bob`, `ВОВ` (Cyrillic), `ΒΟΒ` (Greek), `b0b` and `bоb` share one.
///
/// The stored name keeps its case while sign-in ignores case, so a key stands for every case
/// form of the name. UTS #39 maps Cyrillic `в` to `ʙ` but `В` to `B`, and Greek `ν` (not `Ν`)
/// to `v`: each character takes its lower-case prototype when that is Latin (ASCII), else its
/// upper-case one lower-cased when that is, else the lower-case one. A last skeleton pass joins
/// sequences such as `rn` and `m`.
pub fn username_skeleton(username: &str) -> String {
    use unicode_security::skeleton;
    let prototype = |text: &str| skeleton(text).collect::<String>().to_lowercase();
    let mut joined = String::new();
    for c in username_key(username).chars() {
        let lower = prototype(c.encode_utf8(&mut [0; 4]));
        let upper = prototype(&c.to_uppercase().collect::<String>());
        joined.push_str(match (lower.is_ascii(), upper.is_ascii()) {
            (true, _) => &lower,
            (false, true) => &upper,
            (false, false) => &lower,
        });
    }
    prototype(&joined)
}

pub fn validate_username(username: &str) -> ApiResult<()> {
    use unicode_security::MixedScript;
    let count = username.chars().count();
    if count == 0 || count > MAX_USERNAME_CHARS {
        return Err(ApiError::InvalidRequest(format!(
            "username must be 1 to {MAX_USERNAME_CHARS} characters"
        )));
    }
    let bad_space = username.trim() != username
        || username
            .chars()
            .any(|c| c.is_control() || (c.is_whitespace() && c != ' '));
    if bad_space {
        return Err(ApiError::InvalidRequest(
            "username must not contain control characters, tabs, line breaks or unusual spaces, \
             nor begin or end with a space"
                .into(),
        ));
    }
    // The otpauth label is `issuer:account`; Key Uri Format forbids a colon in either part.
    if username.contains(':') {
        return Err(ApiError::InvalidRequest(
            "username must not contain a colon (authenticator apps read it as the issuer)".into(),
        ));
    }
    // `bоb` with a Cyrillic `о` would pass for `bob`: one name, one script.
    if !username.is_single_script() {
        return Err(ApiError::InvalidRequest(
            "username must not mix letters of different scripts (for example Latin and Cyrillic)"
                .into(),
        ));
    }
    Ok(())
}

pub fn check_policy(password: &str) -> ApiResult<()> {
    twofa_core::password_policy(password).map_err(|e| match e {
        twofa_core::PasswordError::TooShort => {
            ApiError::WeakPassword("the password must have at least 8 characters".into())
        }
        twofa_core::PasswordError::TooLong => {
            ApiError::WeakPassword("the password must have at most 256 characters".into())
        }
        twofa_core::PasswordError::Repetitive => ApiError::WeakPassword(
            "the password must not be one character repeated or a sequence like 12345678".into(),
        ),
        other => ApiError::internal(anyhow::anyhow!("password policy: {other}")),
    })
}

pub async fn hash_password(state: &AppState, password: String) -> ApiResult<String> {
    state
        .hashing
        .run(move |memory| twofa_core::hash_password(&password, &mut crypto::rng(), memory))
        .await?
        .map_err(|e| ApiError::internal(anyhow::anyhow!("password hashing failed: {e}")))
}

/// True only while no user exists (users are never deleted, so once false it stays false).
pub async fn setup_needed(state: &AppState) -> ApiResult<bool> {
    Ok(state.db.read(|conn| Ok(users::count(conn)?)).await? == 0)
}

/// Creates the first admin while no user exists.
pub async fn setup(
    state: &AppState,
    client: &ClientInfo,
    username: String,
    password: String,
) -> ApiResult<UserRow> {
    // Once done, `setup_done` whatever the input: no policy answer leaks after setup.
    if !setup_needed(state).await? {
        return Err(ApiError::SetupDone);
    }
    validate_username(&username)?;
    check_policy(&password)?;
    let phc = hash_password(state, password).await?;
    let now = state.now();
    let user = state
        .db
        .write(move |conn| {
            if users::count(conn)? > 0 {
                return Err(ApiError::SetupDone);
            }
            // A latch row: two instances racing through setup cannot both create an admin.
            meta::insert(conn, meta::SETUP_DONE, b"1").map_err(|e| {
                if is_unique_violation(&e) {
                    ApiError::SetupDone
                } else {
                    e.into()
                }
            })?;
            users::insert(
                conn,
                &username,
                &username_key(&username),
                &username_skeleton(&username),
                &phc,
                true,
                now,
            )
            .map_err(users::taken_or_error)
        })
        .await?;
    audit::record(
        state,
        client,
        Some(user.id),
        "setup.admin_created",
        audit::SUCCESS,
        None,
    )
    .await;
    Ok(user)
}

pub enum PasswordStep {
    /// No second factor: the caller opens the session.
    Authenticated(UserRow),
    /// 2FA is on: a challenge was stored; `challenge_id` goes to the client.
    TwoFactorRequired { challenge_id: String },
}

/// Checks username and password. Unknown users get a dummy verification and the same answer as
/// a wrong password; the per-(username, IP) and per-IP throttles apply whether or not the name exists.
/// `binding_hash` binds the challenge (if one is issued) to a browser session.
pub async fn password_step(
    state: &AppState,
    client: &ClientInfo,
    username: String,
    password: String,
    binding_hash: impl FnOnce() -> ApiResult<Option<String>>,
) -> ApiResult<PasswordStep> {
    let key = username_key(&username);
    if let Err(err) = throttle::charge_login(state, &key, client.ip_key()).await {
        audit::record(
            state,
            client,
            None,
            "auth.password.throttled",
            audit::FAILURE,
            None,
        )
        .await;
        return Err(err);
    }
    let lookup_key = key.clone();
    let user = state
        .db
        .read(move |conn| Ok(users::find_by_key(conn, &lookup_key)?))
        .await?;
    let known_id = user.as_ref().map(|u| u.id);
    let Some(user) = verify_or_dummy(state, user, password).await? else {
        let reason = if known_id.is_some() {
            "wrong_password"
        } else {
            "unknown_user"
        };
        audit::record(
            state,
            client,
            known_id,
            "auth.password.failure",
            audit::FAILURE,
            Some(reason),
        )
        .await;
        return Err(ApiError::InvalidCredentials);
    };
    if user.disabled_at.is_some() {
        // The same answer as a wrong password: a disabled account reveals nothing more.
        audit::record(
            state,
            client,
            Some(user.id),
            "auth.password.failure",
            audit::FAILURE,
            Some("disabled"),
        )
        .await;
        return Err(ApiError::InvalidCredentials);
    }
    throttle::refund_login(state, &key, client.ip_key()).await?;
    let user_id = user.id;
    let two_factor = state
        .db
        .read(move |conn| Ok(totp::find(conn, user_id)?))
        .await?;
    if !two_factor.is_some_and(|t| t.is_active()) {
        // The caller opens the session and then audits `auth.password.success`.
        return Ok(PasswordStep::Authenticated(user));
    }
    audit::record(
        state,
        client,
        Some(user_id),
        "auth.password.success",
        audit::SUCCESS,
        Some("2fa_required"),
    )
    .await;
    let challenge_id = crypto::random_token();
    let id_hash = crypto::sha256_hex(&challenge_id);
    let binding = binding_hash()?;
    let now = state.now();
    state
        .db
        .write(move |conn| {
            challenges::purge_expired(conn, now - CHALLENGE_TTL_SECS)?;
            challenges::insert(
                conn,
                &id_hash,
                user_id,
                binding.as_deref(),
                now,
                now + CHALLENGE_TTL_SECS,
            )?;
            Ok(())
        })
        .await?;
    audit::record(
        state,
        client,
        Some(user_id),
        "2fa.challenge.issued",
        audit::SUCCESS,
        None,
    )
    .await;
    Ok(PasswordStep::TwoFactorRequired { challenge_id })
}

/// Verifies the password of a known user, or burns the same time for an unknown one.
/// Failures are audited; `Ok(None)` means "invalid credentials".
async fn verify_or_dummy(
    state: &AppState,
    user: Option<UserRow>,
    password: String,
) -> ApiResult<Option<UserRow>> {
    match user {
        Some(user) => {
            let phc = user.password_hash.clone();
            let ok = state
                .hashing
                .run(move |memory| twofa_core::verify_password(&password, &phc, memory))
                .await?;
            Ok(ok.then_some(user))
        }
        None => {
            state
                .hashing
                .run(move |memory| twofa_core::verify_dummy(&password, memory))
                .await?;
            Ok(None)
        }
    }
}

/// Step-up: the signed-in user re-enters the password. Failures count toward the same
/// password throttles as the login, so this is no password oracle.
pub async fn confirm_password(
    state: &AppState,
    client: &ClientInfo,
    user: &UserRow,
    password: String,
) -> ApiResult<()> {
    throttle::charge_login(state, &user.username_key, client.ip_key()).await?;
    let ok = verify_or_dummy(state, Some(user.clone()), password)
        .await?
        .is_some();
    if !ok {
        audit::record(
            state,
            client,
            Some(user.id),
            "auth.password.failure",
            audit::FAILURE,
            Some("step_up"),
        )
        .await;
        return Err(ApiError::InvalidCredentials);
    }
    throttle::refund_login(state, &user.username_key, client.ip_key()).await
}

pub struct TwoFactorStatus {
    pub enabled: bool,
    pub enabled_at: Option<i64>,
    pub recovery_codes_remaining: i64,
}

pub async fn two_factor_status(state: &AppState, user_id: i64) -> ApiResult<TwoFactorStatus> {
    state
        .db
        .read(move |conn| {
            let row = totp::find(conn, user_id)?.filter(|t| t.is_active());
            let remaining = if row.is_some() {
                recovery_codes::remaining(conn, user_id)?
            } else {
                0
            };
            Ok(TwoFactorStatus {
                enabled: row.is_some(),
                enabled_at: row.and_then(|r| r.enabled_at),
                recovery_codes_remaining: remaining,
            })
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::{username_key, username_skeleton};

    fn same(a: &str, b: &str) {
        assert_eq!(username_skeleton(a), username_skeleton(b), "{a} vs {b}");
    }

    #[test]
    fn look_alikes_across_scripts_share_a_skeleton() {
        same("bob", "\u{412}\u{41e}\u{412}"); // Cyrillic ВОВ
        same("bob", "\u{432}\u{43e}\u{432}"); // Cyrillic вов
        same("bob", "\u{392}\u{39f}\u{392}"); // Greek ΒΟΒ
        same("cop", "\u{441}\u{43e}\u{440}"); // Cyrillic сор
        same("vo", "\u{3bd}\u{3bf}"); // Greek νο
        same("\u{ff42}\u{ff4f}\u{ff42}", "bob"); // fullwidth
        same("Bob", "bob");
        same("b0b", "bob");
        same("rn", "m");
        same("modern", "rnodern");
        same("admin1", "adminl");
    }

    #[test]
    fn different_looking_names_keep_different_skeletons() {
        for (a, b) in [
            ("bob", "bab"),
            ("rn", "n"),
            ("alice", "alicia"),
            ("bob", "b"),
        ] {
            assert_ne!(username_skeleton(a), username_skeleton(b), "{a} vs {b}");
        }
    }

    #[test]
    fn the_skeleton_is_stable_and_a_function_of_the_key() {
        for name in [
            "bob",
            "\u{412}\u{41e}\u{412}",
            "\u{ff22}ob",
            "Stra\u{df}e",
            "rn",
        ] {
            let skeleton = username_skeleton(name);
            assert_eq!(username_skeleton(&username_key(name)), skeleton, "{name}");
            assert_eq!(username_skeleton(&skeleton), skeleton, "{name}");
        }
    }
}
