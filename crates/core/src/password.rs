//! Account passwords: NIST SP 800-63B length policy and Argon2id hashing at the OWASP minimum
//! parameters, plus a dummy verification so that unknown users cost the same time.

use rand_core::{CryptoRng, RngCore};

use crate::argon::{self, Argon2Memory};
use crate::error::PasswordError;

const MIN_CHARS: usize = 8;
const MAX_CHARS: usize = 256;

/// A valid hash at the production parameters of a password no one knows; verified for
/// unknown users so the password step takes the same time whether the account exists.
const DUMMY_PHC: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$RcFD27lgnCKrhV1gklqZdg$9jBXM/GkQ+RXt2KYtDY6t0A4+jNiMvHNIBO7V5gA7Bs";

/// NIST SP 800-63B rules: 8..=256 characters (Unicode scalar values, not bytes), and not one
/// character repeated or a sequence of consecutive characters (the guesses tried first). No
/// composition rules.
pub fn password_policy(password: &str) -> Result<(), PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_CHARS {
        Err(PasswordError::TooShort)
    } else if chars > MAX_CHARS {
        Err(PasswordError::TooLong)
    } else if is_run(password) {
        Err(PasswordError::Repetitive)
    } else {
        Ok(())
    }
}

/// Every character is the previous one, or every one is the next (or previous) code point.
fn is_run(password: &str) -> bool {
    let codes: Vec<i64> = password.chars().map(|c| i64::from(u32::from(c))).collect();
    let steps: Vec<i64> = codes.windows(2).map(|w| w[1] - w[0]).collect();
    steps
        .first()
        .is_some_and(|&first| (-1..=1).contains(&first) && steps.iter().all(|&step| step == first))
}

/// Argon2id PHC string (m=19456, t=2, p=1, 128-bit salt from `rng`) of a password that
/// passes [`password_policy`], computed in the caller's working memory.
pub fn hash_password<R: CryptoRng + RngCore>(
    password: &str,
    rng: &mut R,
    memory: &mut Argon2Memory,
) -> Result<String, PasswordError> {
    password_policy(password)?;
    argon::hash(password.as_bytes(), rng, memory).ok_or(PasswordError::Hash)
}

/// One Argon2 verification against a stored PHC string, in the caller's working memory; false
/// for a malformed hash.
pub fn verify_password(password: &str, phc: &str, memory: &mut Argon2Memory) -> bool {
    argon::verify(password.as_bytes(), phc, memory)
}

/// Spends the time of a real [`verify_password`] (same memory, same work) and discards the
/// answer.
pub fn verify_dummy(password: &str, memory: &mut Argon2Memory) {
    let _ = std::hint::black_box(argon::verify(password.as_bytes(), DUMMY_PHC, memory));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_sequential_passwords_are_refused() {
        for weak in [
            "aaaaaaaa",
            "        ",
            "12345678",
            "abcdefghij",
            "87654321",
            "ZYXWVUTS",
        ] {
            assert_eq!(
                password_policy(weak),
                Err(PasswordError::Repetitive),
                "{weak}"
            );
        }
        for fine in [
            "aaaaaaab",
            "12345679",
            "correct horse",
            "abcdefgh1",
            "        x",
        ] {
            assert_eq!(password_policy(fine), Ok(()), "{fine}");
        }
    }

    #[test]
    fn dummy_hash_has_production_parameters() {
        // Same cost as a real verify only if the parameters are the production ones.
        assert!(DUMMY_PHC.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(argon2::password_hash::phc::PasswordHash::new(DUMMY_PHC).is_ok());
        assert!(!verify_password("", DUMMY_PHC, &mut Argon2Memory::new()));
    }
}
