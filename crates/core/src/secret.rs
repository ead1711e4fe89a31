//! The shared TOTP key: random bytes from the caller's CSPRNG, shown to the user once as
//! RFC 4648 base32, zeroed when dropped and never printed by `Debug`.

use rand_core::{CryptoRng, RngCore};
use subtle::ConstantTimeEq;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::SecretError;

/// Production key length: 160 bits, the RFC 4226 recommendation, 32 base32 characters.
const GENERATED_LEN: usize = 20;
/// Shortest key accepted (RFC 4226 R6: at least 128 bits).
const MIN_LEN: usize = 16;
/// Longest key accepted: the 64-byte SHA512 seed of the RFC 6238 vectors.
const MAX_LEN: usize = 64;
/// Typed input longer than this is refused before decoding (64 bytes is 103 base32 chars).
const MAX_TYPED_LEN: usize = 256;

/// A TOTP shared secret (20 bytes in production; 16..=64 accepted for test vectors).
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Secret {
    bytes: Vec<u8>,
}

/// Constant-time: equality of keys must not leak where they first differ.
impl PartialEq for Secret {
    fn eq(&self, other: &Secret) -> bool {
        self.bytes.ct_eq(&other.bytes).into()
    }
}

impl Eq for Secret {}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl Secret {
    /// A fresh 160-bit secret from the caller's CSPRNG.
    pub fn generate<R: CryptoRng + RngCore>(rng: &mut R) -> Secret {
        let mut bytes = vec![0u8; GENERATED_LEN];
        rng.fill_bytes(&mut bytes);
        Secret { bytes }
    }

    /// Wraps raw key bytes; 16 to 64 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Secret, SecretError> {
        if !(MIN_LEN..=MAX_LEN).contains(&bytes.len()) {
            return Err(SecretError::InvalidLength);
        }
        Ok(Secret {
            bytes: bytes.to_vec(),
        })
    }

    /// Parses a key typed or pasted by a person: case-insensitive, U+0020 spaces ignored,
    /// trailing `=` padding allowed.
    pub fn parse_base32(input: &str) -> Result<Secret, SecretError> {
        if input.len() > MAX_TYPED_LEN {
            return Err(SecretError::InvalidBase32);
        }
        let mut cleaned: Zeroizing<String> = Zeroizing::new(
            input
                .chars()
                .filter(|c| *c != ' ')
                .map(|c| c.to_ascii_uppercase())
                .collect(),
        );
        let unpadded_len = cleaned.trim_end_matches('=').len();
        let padding = cleaned.len() - unpadded_len;
        // Padding, when present, must complete the last 8-character group exactly.
        if padding > 0 && (padding > 6 || !cleaned.len().is_multiple_of(8)) {
            return Err(SecretError::InvalidBase32);
        }
        cleaned.truncate(unpadded_len);
        // Lengths 1, 3 and 6 mod 8 cannot come from whole bytes.
        if matches!(unpadded_len % 8, 1 | 3 | 6)
            || !cleaned
                .bytes()
                .all(|b| matches!(b, b'A'..=b'Z' | b'2'..=b'7'))
        {
            return Err(SecretError::InvalidBase32);
        }
        let bytes = Zeroizing::new(
            base32::decode(base32::Alphabet::Rfc4648 { padding: false }, &cleaned)
                .ok_or(SecretError::InvalidBase32)?,
        );
        Secret::from_bytes(&bytes)
    }

    /// The raw key, for the HMAC and for sealing; never log it.
    pub fn expose_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// RFC 4648 base32, upper case, no padding (32 characters for a 20-byte secret).
    pub fn to_base32(&self) -> String {
        base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &self.bytes)
    }

    /// The base32 form in groups of four for people typing it: `"ABCD EFGH ... 4567"`.
    pub fn grouped(&self) -> String {
        let plain = Zeroizing::new(self.to_base32());
        let mut out = String::with_capacity(plain.len() + plain.len() / 4);
        for (i, c) in plain.chars().enumerate() {
            if i > 0 && i.is_multiple_of(4) {
                out.push(' ');
            }
            out.push(c);
        }
        out
    }
}
