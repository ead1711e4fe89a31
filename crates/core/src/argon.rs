//! The one Argon2id configuration of the project (OWASP minimum: m=19456 KiB, t=2, p=1),
//! shared by password and recovery-code hashing.

use argon2::password_hash::{phc::PasswordHash, PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use rand_core::{CryptoRng, RngCore};

/// Salt length in bytes: 128 bits (checklist item 31).
const SALT_LEN: usize = 16;

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// PHC string of `input` with a fresh salt from `rng`.
pub(crate) fn hash<R: CryptoRng + RngCore>(input: &[u8], rng: &mut R) -> Option<String> {
    let mut salt = [0u8; SALT_LEN];
    rng.fill_bytes(&mut salt);
    hasher()
        .hash_password_with_salt(input, &salt)
        .ok()
        .map(|phc| phc.to_string())
}

/// One Argon2 verification with the parameters stored in `phc`; false for any malformed hash.
pub(crate) fn verify(input: &[u8], phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => hasher().verify_password(input, &parsed).is_ok(),
        Err(_) => false,
    }
}
