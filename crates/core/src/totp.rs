//! RFC 6238 TOTP. `totp-lite` is the reference implementation ([`code_at`], [`code_with`]);
//! [`verify`] recomputes the same HMAC-SHA1 truncation with `hmac` + `sha1` directly, because
//! totp-lite builds a `String` per code and the window check is the login hot path
//! (performance goal G1). A test asserts both agree.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq, ConstantTimeGreater};
use thiserror::Error;

use crate::code::TotpCode;
use crate::secret::Secret;
use crate::time::{TimeStep, UnixTime, DIGITS, PERIOD_SECS};

/// HMAC algorithm of a TOTP; production is always [`Algorithm::Sha1`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Algorithm {
    /// HMAC-SHA1 (the only one the common apps implement correctly).
    Sha1,
    /// HMAC-SHA256 (RFC 6238 vectors only).
    Sha256,
    /// HMAC-SHA512 (RFC 6238 vectors only).
    Sha512,
}

/// A successful verification: the matched step, to be stored as the new `last_used`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TotpMatch {
    /// The step whose code matched.
    pub step: TimeStep,
    /// Matched step minus current step (-1, 0 or +1 with window 1): the user's clock skew.
    pub drift: i8,
}

/// Why a well-formed code was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
pub enum TotpError {
    /// No step in the window has this code.
    #[error("code does not match")]
    Invalid,
    /// The code matched only steps at or before the last accepted one.
    #[error("code already used")]
    Replayed,
}

/// The production code (SHA1, 6 digits, 30 s) at `at`, zero-padded.
pub fn code_at(secret: &Secret, at: UnixTime) -> String {
    code_with(Algorithm::Sha1, DIGITS, PERIOD_SECS, secret, at)
}

/// A code with explicit parameters, for the RFC vectors.
///
/// # Panics
/// If `digits` is outside 6..=8 or `period` is 0: both are programming errors, never input.
pub fn code_with(
    alg: Algorithm,
    digits: u32,
    period: u64,
    secret: &Secret,
    at: UnixTime,
) -> String {
    assert!((6..=8).contains(&digits), "TOTP digits must be 6..=8");
    assert!(period > 0, "TOTP period must be positive");
    let key = secret.expose_bytes();
    match alg {
        Algorithm::Sha1 => totp_lite::totp_custom::<totp_lite::Sha1>(period, digits, key, at.0),
        Algorithm::Sha256 => totp_lite::totp_custom::<totp_lite::Sha256>(period, digits, key, at.0),
        Algorithm::Sha512 => totp_lite::totp_custom::<totp_lite::Sha512>(period, digits, key, at.0),
    }
}

/// Checks `code` against every step `now-window ..= now+window`.
///
/// Every candidate is computed and compared in constant time, with no early exit, so the
/// time taken does not depend on which step (if any) matched. A match on a step
/// `<= last_used` is [`TotpError::Replayed`] and never accepted; when several steps match,
/// the current step is preferred, then earlier, then later ones. `window` above 127 counts
/// as 127.
pub fn verify(
    secret: &Secret,
    code: &TotpCode,
    now: UnixTime,
    last_used: Option<TimeStep>,
    window: u8,
) -> Result<TotpMatch, TotpError> {
    let current = now.step().0;
    // Key setup once; each candidate clones the keyed state (saves two compressions each).
    let keyed = Hmac::<Sha1>::new_from_slice(secret.expose_bytes())
        .expect("HMAC accepts keys of any length");
    let typed = code.as_str().as_bytes();
    let (has_last, last) = match last_used {
        Some(TimeStep(s)) => (Choice::from(1), s),
        None => (Choice::from(0), 0),
    };

    let mut accepted = Choice::from(0);
    let mut replayed = Choice::from(0);
    let mut accepted_step = 0u64;
    let mut accepted_drift = 0i8;
    // Drift is reported as i8; no real deployment uses a window anywhere near this.
    let w = i16::from(window.min(i8::MAX as u8));
    // Order of preference: 0, -1, +1, -2, +2, ...
    let offsets = std::iter::once(0).chain((1..=w).flat_map(|d| [-d, d]));
    for drift in offsets {
        let step = current.checked_add_signed(i64::from(drift));
        // Steps before the epoch do not exist; compute a dummy to keep the work constant.
        let exists = Choice::from(u8::from(step.is_some()));
        let step = step.unwrap_or(current);
        let candidate = six_digits(truncate(&keyed, step));
        let matches = candidate.ct_eq(typed) & exists;
        let fresh = !has_last | step.ct_gt(&last);
        let take = matches & fresh & !accepted;
        accepted_step.conditional_assign(&step, take);
        // |drift| <= 127 by the clamp above.
        accepted_drift.conditional_assign(&(drift as i8), take);
        accepted |= matches & fresh;
        replayed |= matches & !fresh;
    }

    if bool::from(accepted) {
        Ok(TotpMatch {
            step: TimeStep(accepted_step),
            drift: accepted_drift,
        })
    } else if bool::from(replayed) {
        Err(TotpError::Replayed)
    } else {
        Err(TotpError::Invalid)
    }
}

/// RFC 4226 §5.3 dynamic truncation of HMAC-SHA1(key, step): the 31-bit value.
pub(crate) fn truncate(keyed: &Hmac<Sha1>, step: u64) -> u32 {
    let mut mac = keyed.clone();
    mac.update(&step.to_be_bytes());
    let hash = mac.finalize().into_bytes();
    let offset = usize::from(hash[19] & 0x0f);
    u32::from_be_bytes([
        hash[offset],
        hash[offset + 1],
        hash[offset + 2],
        hash[offset + 3],
    ]) & 0x7fff_ffff
}

/// The 6-digit code of a truncated value as ASCII, on the stack (no allocation).
pub(crate) fn six_digits(value: u32) -> [u8; 6] {
    let mut v = value % 1_000_000;
    let mut out = [b'0'; 6];
    for slot in out.iter_mut().rev() {
        // v % 10 < 10, so the cast cannot truncate.
        *slot = b'0' + (v % 10) as u8;
        v /= 10;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn six_digits_pads_with_zeros() {
        assert_eq!(&six_digits(1_089_005_924), b"005924");
        assert_eq!(&six_digits(0), b"000000");
        assert_eq!(&six_digits(999_999), b"999999");
    }

    #[test]
    fn truncate_matches_rfc4226_intermediate_values() {
        let keyed = Hmac::<Sha1>::new_from_slice(b"12345678901234567890").unwrap();
        // Truncated decimal column of RFC 4226 Appendix D.
        let expected = [
            1_284_755_224u32,
            1_094_287_082,
            137_359_152,
            1_726_969_429,
            1_640_338_314,
            868_254_676,
            1_918_287_922,
            82_162_583,
            673_399_871,
            645_520_489,
        ];
        for (count, want) in expected.iter().enumerate() {
            assert_eq!(truncate(&keyed, count as u64), *want, "count {count}");
        }
    }
}
