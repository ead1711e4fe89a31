//! The one Argon2id configuration of the project (OWASP minimum: m=19456 KiB, t=2, p=1),
//! shared by password and recovery-code hashing.

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand_core::{CryptoRng, RngCore};

/// Salt length in bytes: 128 bits (checklist item 31).
const SALT_LEN: usize = 16;

fn hasher() -> Argon2<'static> {
    Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default())
}

/// PHC string of `input` with a fresh salt from `rng`, computed in `memory`. The same steps as
/// the argon2 crate's `hash_password_with_salt` (a test holds them equal), except that the
/// working memory is the caller's, so hashing allocates no 19 MiB block either.
pub(crate) fn hash<R: CryptoRng + RngCore>(
    input: &[u8],
    rng: &mut R,
    memory: &mut Argon2Memory,
) -> Option<String> {
    let mut salt = [0u8; SALT_LEN];
    rng.fill_bytes(&mut salt);
    hash_with_salt(input, &salt, memory)
}

fn hash_with_salt(input: &[u8], salt: &[u8], memory: &mut Argon2Memory) -> Option<String> {
    let params = Params::default();
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    hasher()
        .hash_password_into_with_memory(input, salt, &mut out, memory.blocks(&params))
        .ok()?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).ok()?,
        salt: Some(Salt::new(salt).ok()?),
        hash: Some(Output::new(&out).ok()?),
    };
    Some(phc.to_string())
}

/// Working memory for Argon2 verifications (19 MiB at the project's parameters), kept by its
/// owner and reused from one verification to the next: a server that allocated and freed it per
/// hash saw the allocator keep freed blocks resident, so its peak memory grew past one block per
/// hashing thread (docs/benchmarks.md (3b)). Grows to what the largest hash needs, never shrinks.
#[derive(Default)]
pub struct Argon2Memory(Vec<Block>);

impl Argon2Memory {
    /// Empty; sized by the first hash or verification.
    pub fn new() -> Self {
        Self::default()
    }

    /// The first `params.block_count()` blocks, grown to that size if needed.
    fn blocks(&mut self, params: &Params) -> &mut [Block] {
        let count = params.block_count();
        if self.0.len() < count {
            self.0.resize(count, Block::default());
        }
        &mut self.0[..count]
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
    let hasher = Argon2::new(algorithm, version.unwrap_or_default(), params.clone());
    let mut buffer = [0u8; Output::MAX_LENGTH];
    let Some(out) = buffer.get_mut(..expected.len()) else {
        return false;
    };
    if hasher
        .hash_password_into_with_memory(input, salt, out, memory.blocks(&params))
        .is_err()
    {
        return false;
    }
    Output::new(out).is_ok_and(|computed| computed == *expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher;

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
    fn hashing_in_reused_memory_gives_the_argon2_crates_own_phc_string() {
        let mut memory = Argon2Memory::new();
        for (input, salt) in [
            (&b"correct horse"[..], b"sixteen byte slt"),
            (b"", b"another salt 16b"),
        ] {
            let theirs = hasher()
                .hash_password_with_salt(input, salt)
                .unwrap()
                .to_string();
            assert_eq!(hash_with_salt(input, salt, &mut memory).unwrap(), theirs);
            assert!(verify(input, &theirs, &mut memory));
        }
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
