//! twofa-core: the pure heart of twofa — TOTP secrets and codes, provisioning URIs and QR
//! codes, recovery codes, password hashing and sealing of secrets at rest.
//!
//! Nothing here reads the clock, the OS RNG, the network or the disk: the caller passes the
//! time ([`UnixTime`]) and a CSPRNG (`R: CryptoRng + RngCore`), which keeps every function
//! deterministic under test.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod argon;
mod code;
mod drift;
mod error;
mod password;
mod provisioning;
mod recovery;
mod sealing;
mod secret;
mod time;
mod totp;

pub use argon::Argon2Memory;
pub use code::TotpCode;
pub use drift::{clock_drift, ClockDrift};
pub use error::{CodeFormatError, PasswordError, QrError, SealError, SecretError};
pub use password::{hash_password, password_policy, verify_dummy, verify_password};
pub use provisioning::{otpauth_uri, qr_svg};
pub use recovery::{
    generate_recovery_codes, RecoveryCode, RecoveryCodeHasher, StoredRecoveryCode,
    RECOVERY_CODES_PER_SET,
};
pub use sealing::SecretBox;
pub use secret::Secret;
pub use time::{TimeStep, UnixTime, DIGITS, PERIOD_SECS};
pub use totp::{code_at, code_with, verify, Algorithm, TotpError, TotpMatch};
