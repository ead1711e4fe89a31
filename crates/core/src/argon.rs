//! The one Argon2id configuration of the project (OWASP minimum: m=19456 KiB, t=2, p=1),
//! shared by password and recovery-code hashing.

use argon2::password_hash::phc::{Output, PasswordHash};
use argon2::password_hash::PasswordHasher;
use argon2::{Algorithm, Argon2, Block, Params, Version};
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

/// Working memory for Argon2 verifications (19 MiB at the project's parameters), kept by its
/// owner and reused from one verification to the next: a server that allocated and freed it per
/// hash saw the allocator keep freed blocks resident, so its peak memory grew past one block per
/// hashing thread (docs/benchmarks.md (3b)). Grows to what the largest hash needs, never shrinks.
#[derive(Default)]
pub struct Argon2Memory(Vec<Block>);

impl Argon2Memory {
    /// Empty; sized by the first verification.
    pub fn new() -> Self {
        Self::default()
    }
}

/// One Argon2 verification with the algorithm, version and parameters stored in `phc`, in
/// `memory`; false for any malformed hash. The same steps as the argon2 crate's
/// `verify_password`, except that the working memory is the caller's; outputs are compared
/// in constant time (`Output`'s equality).
pub(crate) fn verify(input: &[u8], phc: &str, memory: &mut Argon2Memory) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let Ok(version) = parsed.version.map(Version::try_from).transpose() else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let blocks = params.block_count();
    if memory.0.len() < blocks {
        memory.0.resize(blocks, Block::default());
    }
    let hasher = Argon2::new(algorithm, version.unwrap_or_default(), params);
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let Some(out) = buffer.get_mut(..expected.len()) else {
        return false;
    };
    if hasher
        .hash_password_into_with_memory(input, salt, out, &mut memory.0[..blocks])
        .is_err()
    {
        return false;
    }
    Output::new(out).is_ok_and(|computed| computed == *expected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phc_of(input: &[u8], params: Params, version: Version) -> String {
        Argon2::new(Algorithm::Argon2id, version, params)
            .hash_password_with_salt(input, b"sixteen byte slt")
            .unwrap()
            .to_string()
    }

    #[test]
    fn agrees_with_the_argon2_crates_own_verify_and_reuses_its_memory() {
        use argon2::password_hash::PasswordVerifier;
        let small = Params::new(64, 1, 1, None).unwrap();
        let mut memory = Argon2Memory::new();
        let cases = [
            phc_of(b"right", Params::default(), Version::V0x13),
            phc_of(b"right", small.clone(), Version::V0x13),
            phc_of(b"right", small, Version::V0x10),
        ];
        for phc in &cases {
            for input in [&b"right"[..], b"wrong", b""] {
                let theirs = Argon2::default()
                    .verify_password(input, phc.as_str())
                    .is_ok();
                assert_eq!(verify(input, phc, &mut memory), theirs, "{phc}");
                assert_eq!(theirs, input == b"right");
            }
        }
        // Sized once by the largest hash, then reused (a smaller hash uses a prefix).
        assert_eq!(memory.0.len(), Params::default().block_count());
    }

    #[test]
    fn malformed_or_foreign_hashes_never_verify() {
        let mut memory = Argon2Memory::new();
        let good = phc_of(b"x", Params::new(64, 1, 1, None).unwrap(), Version::V0x13);
        let no_hash = good.rsplit_once('$').unwrap().0.to_owned();
        for phc in [
            "",
            "$argon2id$",
            "not a hash",
            no_hash.as_str(),
            "$bcrypt$v=19$m=64,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
        ] {
            assert!(!verify(b"x", phc, &mut memory), "{phc}");
        }
    }
}
