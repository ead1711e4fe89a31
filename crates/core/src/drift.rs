//! Clock-drift detection for enrolment: a code that is wrong for the accepted window but right
//! for a step further away tells the user their device clock is off, and by how much.
//!
//! This never accepts a code. It is a diagnosis, and an oracle for anyone guessing codes (a
//! wider window in disguise), so the API only asks it where the caller already holds the
//! secret: confirming a pending enrolment.

use hmac::{Hmac, Mac};
use sha1::Sha1;
use subtle::{ConditionallySelectable, ConstantTimeEq};

use crate::code::TotpCode;
use crate::secret::Secret;
use crate::time::{UnixTime, PERIOD_SECS};
use crate::totp::{six_digits, truncate};

/// How far the code's step lies from the current one: positive when the device runs ahead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClockDrift {
    /// Matched step minus current step; never inside the accepted window.
    pub steps: i16,
}

impl ClockDrift {
    /// The drift in seconds, at the production period (a multiple of 30).
    pub fn seconds(self) -> i64 {
        // PERIOD_SECS is 30, so the cast cannot truncate.
        i64::from(self.steps) * PERIOD_SECS as i64
    }
}

/// The nearest step `s` with `window < |s - now| <= bound` whose code is `code`, or `None`.
///
/// Steps inside `±window` are never reported (there the code is either accepted or wrong for
/// another reason, e.g. replayed), nor are steps before the epoch. When a step behind and one
/// ahead at the same distance both match, the one behind wins. Every candidate is computed,
/// so the time taken does not depend on where (or whether) the code matched. `bound` above
/// 127 counts as 127.
pub fn clock_drift(
    secret: &Secret,
    code: &TotpCode,
    now: UnixTime,
    window: u8,
    bound: u8,
) -> Option<ClockDrift> {
    let current = now.step().0;
    let keyed = Hmac::<Sha1>::new_from_slice(secret.expose_bytes())
        .expect("HMAC accepts keys of any length");
    let typed = code.as_str().as_bytes();
    let bound = i16::from(bound.min(i8::MAX as u8));
    let first = i16::from(window).saturating_add(1);

    let mut found = subtle::Choice::from(0);
    let mut found_drift = 0i16;
    // Nearest first: -(w+1), +(w+1), -(w+2), ...
    for drift in (first..=bound).flat_map(|d| [-d, d]) {
        let step = current.checked_add_signed(i64::from(drift));
        let exists = subtle::Choice::from(u8::from(step.is_some()));
        let candidate = six_digits(truncate(&keyed, step.unwrap_or(current)));
        let matches = candidate.ct_eq(typed) & exists;
        let take = matches & !found;
        found_drift.conditional_assign(&drift, take);
        found |= matches;
    }
    bool::from(found).then_some(ClockDrift { steps: found_drift })
}
