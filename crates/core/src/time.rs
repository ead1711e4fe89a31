//! Time as the RFC 6238 algorithm sees it: Unix seconds and 30-second steps, `u64` throughout
//! so that nothing truncates to 32 bits (checklist item 3).

/// Production TOTP period in seconds (RFC 6238 X); fixed because common apps ignore `period`.
pub const PERIOD_SECS: u64 = 30;

/// Production TOTP code length; fixed because common apps ignore `digits`.
pub const DIGITS: u32 = 6;

/// Seconds since the Unix epoch, as supplied by the caller's trusted clock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnixTime(pub u64);

/// An RFC 6238 time step `T = floor(t / 30)` (T0 = 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeStep(pub u64);

impl UnixTime {
    /// The production time step containing this instant.
    pub fn step(self) -> TimeStep {
        TimeStep(self.0 / PERIOD_SECS)
    }
}
