//! Checking a second factor (TOTP code or recovery code) with throttling and single use.
//! The order is fixed: charge the attempt (account, then IP), then check the code. A TOTP step
//! is consumed by compare-and-set in the caller's transaction; so is a recovery code
//! (`used_at IS NULL`), after its one argon2 verification. Consuming in the same transaction as
//! the session it buys means a crash can never leave a code spent without a session.

use twofa_core::{RecoveryCode, TimeStep, TotpCode, TotpError, UnixTime};

use crate::auth::ClientInfo;
use diesel::QueryResult;

use crate::db::{recovery_codes, totp, DbConn};
use crate::error::{ApiError, ApiResult};
use crate::keys::Keys;
use crate::service::{audit, throttle};
use crate::state::AppState;

/// Codes from one step either side of now are accepted (RFC 6238 §5.2).
pub const WINDOW: u8 = 1;

pub enum Factor {
    Totp(TotpCode),
    Recovery(RecoveryCode),
}

impl Factor {
    pub fn is_recovery(&self) -> bool {
        matches!(self, Factor::Recovery(_))
    }
}

pub fn parse_code(code: &str) -> ApiResult<TotpCode> {
    TotpCode::parse(code).map_err(|_| ApiError::InvalidCodeFormat)
}

/// Exactly one of `code` and `recovery_code`, each checked for format before anything else.
pub fn parse_factor(code: Option<&str>, recovery_code: Option<&str>) -> ApiResult<Factor> {
    match (code, recovery_code) {
        (Some(code), None) => Ok(Factor::Totp(parse_code(code)?)),
        (None, Some(recovery)) => Ok(Factor::Recovery(
            RecoveryCode::parse(recovery).map_err(|_| ApiError::InvalidCodeFormat)?,
        )),
        _ => Err(ApiError::InvalidRequest(
            "send exactly one of code and recovery_code".into(),
        )),
    }
}

/// A factor that checked out; it is consumed in the caller's transaction.
pub enum Proof {
    TotpStep(i64),
    RecoveryCode { id: i64 },
}

pub fn step_i64(step: TimeStep) -> i64 {
    i64::try_from(step.0).unwrap_or(i64::MAX)
}

pub fn unix(now: i64) -> UnixTime {
    UnixTime(u64::try_from(now).unwrap_or(0))
}

/// Opens the user's sealed secret; a failure means the key does not fit the row.
pub fn open_secret(state: &AppState, user_id: i64, sealed: &[u8]) -> ApiResult<twofa_core::Secret> {
    open_secret_with(&state.keys, user_id, sealed)
}

fn open_secret_with(keys: &Keys, user_id: i64, sealed: &[u8]) -> ApiResult<twofa_core::Secret> {
    keys.secret_box.open(user_id, sealed).map_err(|e| {
        ApiError::internal(anyhow::anyhow!(
            "cannot open the TOTP secret of user {user_id}: {e}"
        ))
    })
}

/// Sign-in, disable and regenerate never say `clock_drift` (only enrolment does, see
/// `enrollment::verify`): naming the far step a wrong code matched would turn every guess into
/// a check against 41 steps instead of 3, an oracle for a code guesser.
pub fn totp_error(err: TotpError) -> ApiError {
    match err {
        TotpError::Replayed => ApiError::TotpReplayed,
        _ => ApiError::InvalidCode,
    }
}

/// What the charge transaction read for the check, so the check needs no storage hop of its own.
#[derive(Clone)]
enum Stored {
    Totp(Option<totp::TotpRow>),
    /// The unused recovery code with the attempt's lookup tag: (row id, PHC hash).
    Recovery(Option<(i64, String)>),
}

fn read_stored(conn: &mut DbConn, user_id: i64, tag: Option<&str>) -> QueryResult<Stored> {
    Ok(match tag {
        None => Stored::Totp(totp::find(conn, user_id)?),
        Some(tag) => Stored::Recovery(recovery_codes::find_unused(conn, user_id, tag)?),
    })
}

/// A TOTP code against the stored row: microseconds of work, so it runs inside the charge
/// transaction.
fn check_totp(
    keys: &Keys,
    user_id: i64,
    code: &TotpCode,
    row: Option<totp::TotpRow>,
    now: i64,
) -> ApiResult<Proof> {
    let row = row
        .filter(|t| t.is_active())
        .ok_or(ApiError::TotpNotEnabled)?;
    let secret = open_secret_with(keys, user_id, &row.secret_ct)?;
    let last_used = row
        .last_used_step
        .and_then(|s| u64::try_from(s).ok())
        .map(TimeStep);
    let matched =
        twofa_core::verify(&secret, code, unix(now), last_used, WINDOW).map_err(totp_error)?;
    Ok(Proof::TotpStep(step_i64(matched.step)))
}

/// A recovery code: one argon2 run on the hashing threads, outside any transaction.
async fn check_recovery(
    state: &AppState,
    code: RecoveryCode,
    found: Option<(i64, String)>,
) -> ApiResult<Proof> {
    // Unknown and already-used codes answer alike; at most one argon2 run per attempt.
    let (id, phc) = found.ok_or(ApiError::InvalidCode)?;
    let keys = state.keys.clone();
    let verified = state
        .hashing
        .run(move |memory| keys.recovery.verify(&code, &phc, memory))
        .await?;
    if verified {
        Ok(Proof::RecoveryCode { id })
    } else {
        Err(ApiError::InvalidCode)
    }
}

/// Consumes a proof; exactly one of any number of parallel callers succeeds.
pub fn consume(conn: &mut DbConn, user_id: i64, proof: &Proof, now: i64) -> ApiResult<()> {
    match *proof {
        Proof::TotpStep(step) => {
            if !totp::claim_step(conn, user_id, step)? {
                return Err(ApiError::TotpReplayed);
            }
        }
        Proof::RecoveryCode { id } => {
            // Of parallel attempts with one code, all may pass argon2; one wins here.
            if !recovery_codes::consume(conn, id, now)? {
                return Err(ApiError::InvalidCode);
            }
        }
    }
    Ok(())
}

/// A factor that checked out, with the time it was checked at; `commit` consumes it.
pub struct Checked {
    proof: Proof,
    now: i64,
}

/// Charges, checks and consumes a second factor, then runs `finish` in the same transaction.
/// Failures are counted toward the account lock and audited under `event`.
pub async fn verify_and_then<T, F>(
    state: &AppState,
    client: &ClientInfo,
    user_id: i64,
    factor: Factor,
    event: &'static str,
    finish: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Proof, i64) -> ApiResult<T> + Send + 'static,
{
    verify_after_and_then(state, client, user_id, factor, event, |_| Ok(()), finish).await
}

/// As `verify_and_then`, with `before` run first in the consuming transaction: a caller that
/// takes row locks there takes them before the code's row, in the same order as every other
/// transaction that locks those rows (no deadlock on PostgreSQL).
pub async fn verify_after_and_then<T, B, F>(
    state: &AppState,
    client: &ClientInfo,
    user_id: i64,
    factor: Factor,
    event: &'static str,
    before: B,
    finish: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    B: FnOnce(&mut DbConn) -> ApiResult<()> + Send + 'static,
    F: FnOnce(&mut DbConn, &Proof, i64) -> ApiResult<T> + Send + 'static,
{
    let ((), checked) = charge_and_check(state, client, user_id, factor, event, |_| Ok(())).await?;
    commit_after(state, client, user_id, checked, event, before, finish).await
}

/// Charges the attempt and checks the factor. `guard` runs first in the charge transaction (a
/// challenge charges its own try there); its error refuses the attempt with nothing charged.
/// The charge, the guard and the reads the check needs share one transaction: each storage hop
/// costs more than the work in it (docs/benchmarks.md (4)).
pub async fn charge_and_check<P, G>(
    state: &AppState,
    client: &ClientInfo,
    user_id: i64,
    factor: Factor,
    event: &'static str,
    guard: G,
) -> ApiResult<(P, Checked)>
where
    P: Send + 'static,
    G: Fn(&mut DbConn) -> ApiResult<P> + Clone + Send + 'static,
{
    let tag = match &factor {
        Factor::Totp(_) => None,
        Factor::Recovery(code) => Some(state.keys.recovery.lookup_tag(code)),
    };
    let now = state.now();
    let keys = state.keys.clone();
    let totp_code = match &factor {
        Factor::Totp(code) => Some(code.clone()),
        Factor::Recovery(_) => None,
    };
    let failure = Failure::new(state, client, user_id, event);
    // A TOTP code is checked, and a wrong one counted and audited, in the charge transaction:
    // the path an attacker floods costs one storage hop (docs/benchmarks.md (4)).
    let then = move |conn: &mut DbConn, guarded: P| -> QueryResult<(P, Charged)> {
        let stored = read_stored(conn, user_id, tag.as_deref())?;
        let charged = match (&totp_code, stored) {
            (Some(code), Stored::Totp(row)) => match check_totp(&keys, user_id, code, row, now) {
                Ok(proof) => Charged::Checked(proof),
                Err(err) => {
                    let events = failure.store(conn, &err)?;
                    Charged::Failed { err, events }
                }
            },
            (_, stored) => Charged::Pending(stored),
        };
        Ok((guarded, charged))
    };
    let charged =
        throttle::charge_second_factor_then(state, user_id, client.ip_key(), guard, then).await;
    let (guarded, charged) = match charged {
        Ok(value) => value,
        Err(err @ (ApiError::AccountLocked { .. } | ApiError::TooManyAttempts { .. })) => {
            let what = if matches!(err, ApiError::AccountLocked { .. }) {
                "locked"
            } else {
                "ip"
            };
            audit::record(
                state,
                client,
                Some(user_id),
                "2fa.throttled",
                audit::FAILURE,
                Some(what),
            )
            .await;
            return Err(err);
        }
        Err(err) => return Err(err),
    };
    let checked = match (factor, charged) {
        (_, Charged::Checked(proof)) => Ok(proof),
        (_, Charged::Failed { err, events }) => {
            for e in &events {
                e.announce();
            }
            if CodeFailure::of(&err).is_none() {
                throttle::second_factor_refund(state, user_id, client.ip_key()).await?;
            }
            Err(err)
        }
        (Factor::Recovery(code), Charged::Pending(Stored::Recovery(found))) => {
            match check_recovery(state, code, found).await {
                Ok(proof) => Ok(proof),
                Err(err) => {
                    failed(state, client, user_id, event, &err).await?;
                    Err(err)
                }
            }
        }
        _ => Err(ApiError::internal(anyhow::anyhow!(
            "stored factor read for another kind of factor"
        ))),
    };
    checked.map(|proof| (guarded, Checked { proof, now }))
}

/// What the charge transaction did about the factor.
enum Charged {
    /// A TOTP code that checked out; consumed later, with the session it buys.
    Checked(Proof),
    /// A TOTP code that failed; counted and audited in the charge transaction. The events are
    /// announced once it committed.
    Failed {
        err: ApiError,
        events: Vec<audit::Event>,
    },
    /// What a recovery code's check needs (argon2, outside any transaction).
    Pending(Stored),
}

/// Consumes a checked factor and runs `finish` in one transaction, which also clears the
/// account's failure count; the loser of a race for one code is counted as a failure.
pub async fn commit<T, F>(
    state: &AppState,
    client: &ClientInfo,
    user_id: i64,
    checked: Checked,
    event: &'static str,
    finish: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&mut DbConn, &Proof, i64) -> ApiResult<T> + Send + 'static,
{
    commit_after(state, client, user_id, checked, event, |_| Ok(()), finish).await
}

async fn commit_after<T, B, F>(
    state: &AppState,
    client: &ClientInfo,
    user_id: i64,
    checked: Checked,
    event: &'static str,
    before: B,
    finish: F,
) -> ApiResult<T>
where
    T: Send + 'static,
    B: FnOnce(&mut DbConn) -> ApiResult<()> + Send + 'static,
    F: FnOnce(&mut DbConn, &Proof, i64) -> ApiResult<T> + Send + 'static,
{
    let Checked { proof, now } = checked;
    let succeeded = throttle::SuccessReset::new(user_id, client.ip_key());
    let result = state
        .db
        .write(move |conn| {
            before(conn)?;
            consume(conn, user_id, &proof, now)?;
            let value = finish(conn, &proof, now)?;
            succeeded.apply(conn)?;
            Ok(value)
        })
        .await;
    if let Err(err) = &result {
        failed(state, client, user_id, event, err).await?;
    }
    result
}

/// Counts a wrong or replayed code toward the account lock and audits it, in one transaction;
/// any other error is not the code's fault: the attempt's charges are given back.
async fn failed(
    state: &AppState,
    client: &ClientInfo,
    user_id: i64,
    event: &'static str,
    err: &ApiError,
) -> ApiResult<()> {
    let Some(kind) = CodeFailure::of(err) else {
        return throttle::second_factor_refund(state, user_id, client.ip_key()).await;
    };
    let failure = Failure::new(state, client, user_id, event);
    let events = state
        .db
        .write(move |conn| Ok(failure.store_kind(conn, kind)?))
        .await?;
    for e in &events {
        e.announce();
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum CodeFailure {
    Invalid,
    Replayed,
}

impl CodeFailure {
    fn of(err: &ApiError) -> Option<CodeFailure> {
        match err {
            ApiError::InvalidCode => Some(CodeFailure::Invalid),
            ApiError::TotpReplayed => Some(CodeFailure::Replayed),
            _ => None,
        }
    }
}

/// The bookkeeping of a wrong or replayed code, prepared before the transaction it is stored in:
/// its audit events and the account's failure count (with the lock event when it locks).
#[derive(Clone)]
struct Failure {
    invalid: Vec<audit::Event>,
    replayed: Vec<audit::Event>,
    locked: audit::Event,
    count: throttle::FailureCount,
}

impl Failure {
    fn new(state: &AppState, client: &ClientInfo, user_id: i64, event: &'static str) -> Failure {
        let ev = |name, reason| {
            audit::Event::new(state, client, Some(user_id), name, audit::FAILURE, reason)
        };
        Failure {
            invalid: vec![ev(event, Some("invalid_code"))],
            replayed: vec![
                ev("totp.replay_detected", None),
                ev(event, Some("replayed")),
            ],
            locked: ev("2fa.locked", None),
            count: throttle::FailureCount::new(state, user_id),
        }
    }

    /// Stores what `err` calls for; returns the events to announce once committed (none for
    /// an error that is not the code's fault).
    fn store(&self, conn: &mut DbConn, err: &ApiError) -> QueryResult<Vec<audit::Event>> {
        match CodeFailure::of(err) {
            Some(kind) => self.store_kind(conn, kind),
            None => Ok(Vec::new()),
        }
    }

    fn store_kind(&self, conn: &mut DbConn, kind: CodeFailure) -> QueryResult<Vec<audit::Event>> {
        let mut events = match kind {
            CodeFailure::Invalid => self.invalid.clone(),
            CodeFailure::Replayed => self.replayed.clone(),
        };
        for e in &events {
            audit::store(conn, e)?;
        }
        if self.count.apply(conn)? {
            audit::store(conn, &self.locked)?;
            events.push(self.locked.clone());
        }
        Ok(events)
    }
}
