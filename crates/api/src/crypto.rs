//! Randomness and hashing helpers for the API: OS-seeded ChaCha20 and SHA-256 of opaque tokens.

use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A CSPRNG seeded from the OS for one operation (the core never reads the OS RNG itself).
pub fn rng() -> ChaCha20Rng {
    ChaCha20Rng::from_os_rng()
}

/// 256 random bits as 64 lower-case hex characters (challenge ids, session keys, tokens).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

/// Tokens are stored only as this hash; a database dump gives no usable token.
pub fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

pub fn ct_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// A token we issued: exactly 64 lower-case hex characters. Checked before any lookup.
pub fn is_token_shaped(value: &str) -> bool {
    value.len() == 64
        && value
            .bytes()
            .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_64_hex_and_distinct() {
        let a = random_token();
        let b = random_token();
        assert!(is_token_shaped(&a) && is_token_shaped(&b));
        assert_ne!(a, b);
    }

    #[test]
    fn sha256_matches_known_vector() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
