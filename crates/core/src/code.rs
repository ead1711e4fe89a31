//! A TOTP code as typed by a person. The only normalisation is dropping U+0020 spaces
//! (apps display `123 456`); the rest must be exactly six ASCII digits. Codes stay strings:
//! parsing them as integers would accept `+81804` or `81804` for `081804` (checklist 4, 58).

use zeroize::{Zeroize, ZeroizeOnDrop};

use crate::error::CodeFormatError;

const CODE_LEN: usize = 6;
/// Anything longer is refused before looking at the characters.
const MAX_INPUT_LEN: usize = 64;

/// Exactly six ASCII digits, validated.
#[derive(Clone, PartialEq, Eq, Zeroize, ZeroizeOnDrop)]
pub struct TotpCode {
    digits: String,
}

impl std::fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpCode(..)")
    }
}

impl TotpCode {
    /// Validates user input: remove U+0020 spaces, then exactly 6 bytes, each `is_ascii_digit`.
    pub fn parse(input: &str) -> Result<TotpCode, CodeFormatError> {
        if input.len() > MAX_INPUT_LEN {
            return Err(CodeFormatError::TooLong);
        }
        let digits: String = input.chars().filter(|c| *c != ' ').collect();
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeFormatError::InvalidCharacter);
        }
        if digits.len() != CODE_LEN {
            return Err(CodeFormatError::WrongLength);
        }
        Ok(TotpCode { digits })
    }

    /// The six digits.
    pub fn as_str(&self) -> &str {
        &self.digits
    }
}
