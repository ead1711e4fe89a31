//! The one place that reads the wall clock. Everything else takes `now` from a `Clock`.

use std::sync::Arc;

pub trait Clock: Send + Sync + 'static {
    /// Unix seconds.
    fn now(&self) -> i64;
}

pub type SharedClock = Arc<dyn Clock>;

pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)]
    fn now(&self) -> i64 {
        let since_epoch = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        i64::try_from(since_epoch.as_secs()).unwrap_or(i64::MAX)
    }
}

/// A clock tests can pin and move (compiled only with the `test-clock` feature).
#[cfg(feature = "test-clock")]
pub struct SettableClock {
    pinned: std::sync::Mutex<Option<i64>>,
}

#[cfg(feature = "test-clock")]
impl SettableClock {
    pub fn new() -> Self {
        Self {
            pinned: std::sync::Mutex::new(None),
        }
    }

    pub fn pin(&self, now: i64) {
        *self.pinned.lock().unwrap_or_else(|e| e.into_inner()) = Some(now);
    }

    /// Moves a pinned clock forward, or pins it at real now + `secs`.
    pub fn advance(&self, secs: i64) {
        let mut pinned = self.pinned.lock().unwrap_or_else(|e| e.into_inner());
        let base = pinned.unwrap_or_else(|| SystemClock.now());
        *pinned = Some(base.saturating_add(secs));
    }
}

#[cfg(feature = "test-clock")]
impl Default for SettableClock {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "test-clock")]
impl Clock for SettableClock {
    fn now(&self) -> i64 {
        let pinned = *self.pinned.lock().unwrap_or_else(|e| e.into_inner());
        pinned.unwrap_or_else(|| SystemClock.now())
    }
}
