//! Recovery codes (look-up secrets): 80 random bits in Crockford base32, shown as
//! `XXXX-XXXX-XXXX-XXXX`, stored only as Argon2id hashes next to a keyed lookup tag so that a
//! login attempt costs one slow hash whatever the size of the set (checklist items 30–33).

use hmac::{Hmac, Mac};
use rand_core::{CryptoRng, RngCore};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::argon::{self, Argon2Memory};
use crate::error::CodeFormatError;

/// Codes in one set (project choice, checklist item 30).
pub const RECOVERY_CODES_PER_SET: usize = 10;

const CODE_BYTES: usize = 10;
const CODE_CHARS: usize = 16;
/// Input longer than this is refused before any normalisation (dashes and spaces included).
const MAX_INPUT_LEN: usize = 64;

/// One recovery code in normalised form: 16 upper-case Crockford base32 characters.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryCode {
    normalised: String,
}

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCode(..)")
    }
}

impl RecoveryCode {
    /// A fresh 80-bit code from the caller's CSPRNG.
    pub fn generate<R: CryptoRng + RngCore>(rng: &mut R) -> RecoveryCode {
        let mut bytes = Zeroizing::new([0u8; CODE_BYTES]);
        rng.fill_bytes(bytes.as_mut());
        RecoveryCode {
            normalised: base32::encode(base32::Alphabet::Crockford, bytes.as_ref()),
        }
    }

    /// Normalises typed input: case-insensitive, `-` and U+0020 ignored, `O`→`0`,
    /// `I`/`L`→`1`; the result must be 16 Crockford characters.
    pub fn parse(input: &str) -> Result<RecoveryCode, CodeFormatError> {
        if input.len() > MAX_INPUT_LEN {
            return Err(CodeFormatError::TooLong);
        }
        let mut normalised = String::with_capacity(CODE_CHARS);
        for c in input.chars() {
            let c = match c.to_ascii_uppercase() {
                '-' | ' ' => continue,
                'O' => '0',
                'I' | 'L' => '1',
                c @ ('0'..='9' | 'A'..='H' | 'J' | 'K' | 'M' | 'N' | 'P'..='T' | 'V'..='Z') => c,
                _ => {
                    normalised.zeroize();
                    return Err(CodeFormatError::InvalidCharacter);
                }
            };
            normalised.push(c);
        }
        if normalised.len() != CODE_CHARS {
            normalised.zeroize();
            return Err(CodeFormatError::WrongLength);
        }
        Ok(RecoveryCode { normalised })
    }

    /// The form shown to the user: `XXXX-XXXX-XXXX-XXXX`.
    pub fn display(&self) -> String {
        let mut out = String::with_capacity(CODE_CHARS + 3);
        for (i, c) in self.normalised.chars().enumerate() {
            if i > 0 && i.is_multiple_of(4) {
                out.push('-');
            }
            out.push(c);
        }
        out
    }
}

/// A set of [`RECOVERY_CODES_PER_SET`] distinct fresh codes.
pub fn generate_recovery_codes<R: CryptoRng + RngCore>(rng: &mut R) -> Vec<RecoveryCode> {
    let mut codes: Vec<RecoveryCode> = Vec::with_capacity(RECOVERY_CODES_PER_SET);
    while codes.len() < RECOVERY_CODES_PER_SET {
        let code = RecoveryCode::generate(rng);
        // A repeat of 80 random bits is practically impossible; checked anyway.
        if !codes.contains(&code) {
            codes.push(code);
        }
    }
    codes
}

/// What the API stores per code: the lookup tag (indexed) and the Argon2id PHC string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredRecoveryCode {
    /// Hex HMAC-SHA256 of the normalised code under the server's lookup key.
    pub lookup_tag: String,
    /// `$argon2id$v=19$m=19456,t=2,p=1$...` with a per-code 128-bit salt.
    pub phc: String,
}

/// Hashes and checks recovery codes; holds the server-side HMAC key for lookup tags.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct RecoveryCodeHasher {
    lookup_key: [u8; 32],
}

impl std::fmt::Debug for RecoveryCodeHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RecoveryCodeHasher(..)")
    }
}

impl RecoveryCodeHasher {
    /// A hasher with the server's 32-byte lookup key (from configuration, never the DB).
    pub fn new(lookup_key: [u8; 32]) -> Self {
        RecoveryCodeHasher { lookup_key }
    }

    /// Hex HMAC-SHA256(lookup key, normalised code): selects the one row to verify. Without
    /// the key the tag reveals nothing, and the Argon2 hash stays the real check.
    pub fn lookup_tag(&self, code: &RecoveryCode) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.lookup_key)
            .expect("HMAC accepts keys of any length");
        mac.update(code.normalised.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The storage form of `code`: lookup tag and Argon2id hash with a salt from `rng`,
    /// computed in the caller's working memory.
    pub fn hash<R: CryptoRng + RngCore>(
        &self,
        code: &RecoveryCode,
        rng: &mut R,
        memory: &mut Argon2Memory,
    ) -> StoredRecoveryCode {
        let phc = argon::hash(code.normalised.as_bytes(), rng, memory)
            .expect("Argon2 with the fixed default parameters and a 16-byte salt cannot fail");
        StoredRecoveryCode {
            lookup_tag: self.lookup_tag(code),
            phc,
        }
    }

    /// Exactly one Argon2 verification of `code` against a stored PHC string, in the caller's
    /// working memory.
    pub fn verify(&self, code: &RecoveryCode, phc: &str, memory: &mut Argon2Memory) -> bool {
        argon::verify(code.normalised.as_bytes(), phc, memory)
    }
}
